from django.apps import AppConfig


class DesignerConfig(AppConfig):
    name = "designer"
    verbose_name = "Statelight"

    def ready(self):
        # The built-in task resources plug into designer.resources' registry. They use the models,
        # so they are imported here, once the models are loaded: Django's place for it.
        from designer import resources
        from designer.approvals import resource as approval
        from designer.resources import http, nested

        for matcher, performer in ((http.HTTP_INVOKE, http.perform), (nested.START_EXECUTION, nested.perform),
                                   (approval.APPROVAL_ARN, approval.perform)):
            resources.register(matcher, performer)
