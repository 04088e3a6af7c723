"""CRM API: customers, and the CRM actions logged on an interaction."""

from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import status

from core.api.schema import uuid_path_parameter
from core.api.views import ApiView
from crm import approvals, selectors, services

from .serializers import (
    CrmActionInput,
    CrmActionOutput,
    CustomerCreateInput,
    CustomerOutput,
    CustomerUpdateInput,
    ProposalInput,
    ProposalOutput,
)

CUSTOMER_ID = OpenApiParameter("customer_id", OpenApiTypes.STR, OpenApiParameter.PATH)


class InteractionCrmActionsApi(ApiView):
    @extend_schema(
        tags=["crm"],
        parameters=[uuid_path_parameter("interaction_id")],
        request=CrmActionInput,
        responses={201: CrmActionOutput},
    )
    def post(self, request, interaction_id):
        """Log a CRM action the bot ran. A type that needs approval (update_address, update_payment_method by
        default) needs `proposal_id`, an approved proposal of this interaction not executed yet: without it,
        or twice, 409; `input_data` other than the approved input, 400."""
        action = services.log_crm_action(
            interaction_id=interaction_id, author=request.user, **self.validated(CrmActionInput)
        )
        return self.respond(CrmActionOutput, action, status.HTTP_201_CREATED)


class CustomerCollectionApi(ApiView):
    @extend_schema(tags=["crm"], request=CustomerCreateInput, responses={201: CustomerOutput})
    def post(self, request):
        customer = services.create_customer(**self.validated(CustomerCreateInput))
        return self.respond(CustomerOutput, customer, status.HTTP_201_CREATED)


class CustomerDetailApi(ApiView):
    @extend_schema(tags=["crm"], parameters=[CUSTOMER_ID], responses=CustomerOutput)
    def get(self, request, customer_id):
        return self.respond(CustomerOutput, selectors.get_customer(customer_id=customer_id))

    @extend_schema(tags=["crm"], parameters=[CUSTOMER_ID], request=CustomerUpdateInput, responses=CustomerOutput)
    def patch(self, request, customer_id):
        customer = services.update_customer(customer_id=customer_id, **self.validated(CustomerUpdateInput))
        return self.respond(CustomerOutput, customer)


class InteractionProposalsApi(ApiView):
    @extend_schema(
        tags=["crm"],
        parameters=[uuid_path_parameter("interaction_id")],
        request=ProposalInput,
        responses={201: ProposalOutput},
    )
    def post(self, request, interaction_id):
        """Ask a person to approve a CRM action before the bot runs it (needed for the gated types).

        The answer's `status` is `pending`; read the decision with GET crm-actions/proposals/{id}/ (or
        subscribe to the `approval.decided` webhook), then log the action with its `proposal_id`."""
        proposal = approvals.propose_crm_action(
            interaction_id=interaction_id, proposed_by=request.user, **self.validated(ProposalInput)
        )
        return self.respond(ProposalOutput, proposal, status.HTTP_201_CREATED)


class ProposalDetailApi(ApiView):
    @extend_schema(tags=["crm"], parameters=[uuid_path_parameter("proposal_id")], responses=ProposalOutput)
    def get(self, request, proposal_id):
        """A proposal and its decision: `pending`, `approved` (with `approved_input`) or `rejected`
        (with `decision_reason`); `executed_action_id` once the action was logged."""
        return self.respond(ProposalOutput, selectors.get_proposal(proposal_id=proposal_id))
