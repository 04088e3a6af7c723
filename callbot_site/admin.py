"""Admin of the project shell: "Job failures", each failed attempt of a background job with its error, and
the locked-out logins of django-axes with the supervisors' "Unlock" action."""

from axes.conf import settings as axes_settings
from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.html import format_html

from accounts.roles import is_supervisor
from core.admin_base import ReadOnlyAdmin, StrictModelAdmin
from core.errors import DomainError

from . import lockout
from .models import JobFailure

# There is no public site to "view": the admin is the whole web face (the link led to a 404).
admin.site.site_url = None


@admin.register(JobFailure)
class JobFailureAdmin(ReadOnlyAdmin):
    """Written by the workers only; supervisors may look (view permission, migration 0006)."""

    list_display = ["failed_at", "task_name", "job_link", "attempt", "error_type", "message"]
    list_display_links = ["failed_at"]
    list_filter = ["task_name", "error_type"]
    fields = ["failed_at", "task_name", "job_link", "attempt", "error_type", "message"]
    readonly_fields = fields
    show_full_result_count = False

    @admin.display(description="job", ordering="job_id")
    def job_link(self, failure):
        try:
            url = reverse("admin:procrastinate_procrastinatejob_change", args=[failure.job_id])
        except NoReverseMatch:
            return failure.job_id
        return format_html('<a href="{}">procrastinate job #{}</a>', url, failure.job_id)


class LockedOutFilter(admin.SimpleListFilter):
    """Logins locked now (at the failure limit, within the cool-off), or every recorded attempt."""

    title = "locked out"
    parameter_name = "locked"

    def lookups(self, request, model_admin):
        return [("yes", "Locked now"), ("no", "Not locked")]

    def queryset(self, request, queryset):
        locked = {"failures_since_start__gte": axes_settings.AXES_FAILURE_LIMIT}
        cool_off = get_cool_off(request)
        if cool_off:
            locked["attempt_time__gt"] = timezone.now() - cool_off
        if self.value() == "yes":
            return queryset.filter(**locked)
        if self.value() == "no":
            return queryset.exclude(**locked)
        return queryset


if admin.site.is_registered(AccessAttempt):
    admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(StrictModelAdmin):
    """Failed logins per username and address (django-axes). Supervisors see them and unlock with axes' reset;
    the form data axes keeps stays out of the list. Written by axes only: nobody adds or edits a row."""

    list_display = ("username", "ip_address", "failures_since_start", "attempt_time", "lock_state")
    list_filter = (LockedOutFilter,)
    search_fields = ("=username",)
    fields = ("username", "ip_address", "failures_since_start", "attempt_time", "lock_state", "path_info")
    readonly_fields = fields
    ordering = ("-attempt_time",)
    actions = ["unlock_selected"]

    @admin.display(description="state")
    def lock_state(self, attempt):
        cool_off = get_cool_off()
        until = attempt.attempt_time + cool_off if cool_off else None
        locked = attempt.failures_since_start >= axes_settings.AXES_FAILURE_LIMIT and (
            until is None or until > timezone.now()
        )
        if not locked:
            return "not locked"
        if until is None:
            return format_html('<span class="cb-late">locked</span>')
        left = lockout.duration_text(until - timezone.now())
        return format_html('<span class="cb-late">locked · {} left</span>', left)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_unlock_permission(self, request):
        return is_supervisor(request.user)

    @admin.action(description="Unlock the selected logins now", permissions=["unlock"])
    def unlock_selected(self, request, queryset):
        unlocked = []
        for username, ip_address in queryset.values_list("username", "ip_address").distinct():
            try:
                lockout.unlock_login(username=username, ip_address=ip_address, actor=request.user)
            except DomainError as error:
                messages.error(request, error.message)
                continue
            unlocked.append(username)
        if unlocked:
            messages.success(request, f"Unlocked: {', '.join(sorted(set(unlocked)))}. They may log in again now.")
