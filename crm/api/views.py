"""CRM API: customers, and the CRM actions logged on an interaction."""

from drf_spectacular.utils import OpenApiParameter, OpenApiTypes, extend_schema
from rest_framework import status

from core.api.schema import uuid_path_parameter
from core.api.views import ApiView
from crm import selectors, services

from .serializers import CrmActionInput, CrmActionOutput, CustomerCreateInput, CustomerOutput, CustomerUpdateInput

CUSTOMER_ID = OpenApiParameter("customer_id", OpenApiTypes.STR, OpenApiParameter.PATH)


class InteractionCrmActionsApi(ApiView):
    @extend_schema(
        tags=["crm"],
        parameters=[uuid_path_parameter("interaction_id")],
        request=CrmActionInput,
        responses={201: CrmActionOutput},
    )
    def post(self, request, interaction_id):
        action = services.log_crm_action(interaction_id=interaction_id, **self.validated(CrmActionInput))
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
