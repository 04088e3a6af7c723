"""Input and output shapes of the CRM API: customers and the CRM actions the bot ran."""

from rest_framework import serializers

from core.api.fields import AllowedChoiceField, BoundedIntegerField, JSONObjectField
from core.api.serializers import StrictInputSerializer
from crm.models import ActionType, CrmAction, Customer, Segment


class CrmActionInput(StrictInputSerializer):
    customer_id = serializers.CharField(max_length=50)
    action_type = AllowedChoiceField(ActionType)
    input_data = JSONObjectField(default=dict)
    output_data = JSONObjectField(default=dict)
    success = serializers.BooleanField(required=False, default=True)
    error_message = serializers.CharField(required=False, allow_blank=True, default="")
    execution_time_ms = BoundedIntegerField(min_value=0, required=False, allow_null=True, default=None)


class CrmActionOutput(serializers.ModelSerializer):
    interaction_id = serializers.UUIDField(read_only=True)

    class Meta:
        model = CrmAction
        fields = [
            "action_id",
            "interaction_id",
            "customer_id",
            "action_type",
            "input_data",
            "output_data",
            "success",
            "error_message",
            "execution_time_ms",
            "executed_at",
        ]


class CustomerCreateInput(StrictInputSerializer):
    customer_id = serializers.CharField(max_length=50)
    name = serializers.CharField(max_length=200)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True, default="")
    segment = AllowedChoiceField(Segment, required=False, default=Segment.STANDARD)
    metadata = JSONObjectField(default=dict)


class CustomerUpdateInput(StrictInputSerializer):
    """PATCH: only the fields sent are changed."""

    name = serializers.CharField(max_length=200, required=False)
    email = serializers.EmailField(max_length=254, required=False, allow_blank=True)
    phone = serializers.CharField(max_length=32, required=False, allow_blank=True)
    segment = AllowedChoiceField(Segment, required=False)
    metadata = JSONObjectField()


class CustomerOutput(serializers.ModelSerializer):
    class Meta:
        model = Customer
        fields = ["customer_id", "name", "email", "phone", "segment", "metadata", "created_at", "updated_at"]
