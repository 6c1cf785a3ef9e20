from django.apps import AppConfig


class DesignerConfig(AppConfig):
    name = "designer"
    verbose_name = "Statelight designer"

    def ready(self):
        # the human-approval task resource plugs into designer.resources
        from designer import approvals

        approvals.register()
