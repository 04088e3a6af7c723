"""What the console's two work queues (tickets, approvals) share: their URLs and their POST-only buttons.

An admin lists its `item_actions` (URL segment → view method name); each becomes
`<object_id>/<segment>/`, named `<url_name_prefix>_<segment>`, beside `claim-next/`. A button's view calls
one service and shows its domain error as a message, never a traceback.
"""

from django.contrib import messages
from django.http import HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse

from core.errors import DomainError


def run_service(request, work, success: str) -> bool:
    """Call a service; show its domain error as a message instead of a traceback."""
    try:
        work()
    except DomainError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


class WorkQueueAdminMixin:
    url_name_prefix: str
    item_actions: dict[str, str] = {}

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("claim-next/", wrap(self.claim_next_view), name=f"{self.url_name_prefix}_claim_next"),
            *(
                path(
                    f"<path:object_id>/{segment}/",
                    wrap(getattr(self, method)),
                    name=f"{self.url_name_prefix}_{segment}",
                )
                for segment, method in self.item_actions.items()
            ),
            *super().get_urls(),
        ]

    def _admin_url(self, view: str, *args) -> str:
        meta = self.model._meta
        return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)

    def _item_url(self, object_id) -> str:
        return self._admin_url("change", object_id)

    def _queue_url(self) -> str:
        return self._admin_url("changelist")

    def _post_only(self, request, object_id, work, success, *, done_url=None):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        ok = run_service(request, work, success)
        return HttpResponseRedirect(done_url if ok and done_url else self._item_url(object_id))
