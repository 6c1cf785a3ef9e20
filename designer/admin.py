from django.contrib import admin

from designer import models


@admin.register(models.StateMachine)
class StateMachineAdmin(admin.ModelAdmin):
    list_display = ["name", "type", "owner", "updated_at"]
    list_filter = ["type"]
    search_fields = ["name", "arn"]


@admin.register(models.StateMachineVersion)
class StateMachineVersionAdmin(admin.ModelAdmin):
    list_display = ["machine", "number", "created_at"]


@admin.register(models.StateMachineAlias)
class StateMachineAliasAdmin(admin.ModelAdmin):
    list_display = ["machine", "name", "updated_at"]


@admin.register(models.Execution)
class ExecutionAdmin(admin.ModelAdmin):
    list_display = ["name", "machine", "status", "started_at", "stopped_at"]
    list_filter = ["status"]
    search_fields = ["name", "arn"]
    readonly_fields = ["last_event_id"]


@admin.register(models.HistoryEvent)
class HistoryEventAdmin(admin.ModelAdmin):
    list_display = ["execution", "event_id", "type", "timestamp"]
    list_filter = ["type"]


@admin.register(models.Activity)
class ActivityAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "created_at"]


@admin.register(models.TaskToken)
class TaskTokenAdmin(admin.ModelAdmin):
    list_display = ["execution", "state_name", "kind", "created_at", "answered_at"]
    list_filter = ["kind"]
    exclude = ["token"]  # a live token is a credential: never shown


@admin.register(models.AccessKey)
class AccessKeyAdmin(admin.ModelAdmin):
    list_display = ["access_key_id", "user", "created_at", "last_used_at", "revoked_at"]
    exclude = ["encrypted_secret"]


@admin.register(models.Connection)
class ConnectionAdmin(admin.ModelAdmin):
    list_display = ["name", "authorization_type", "owner"]
    exclude = ["encrypted_parameters"]
