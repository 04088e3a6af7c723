"""The HTTP baseline: a bare DRF create endpoint on the product's own model stack.

A plain ModelSerializer + CreateAPIView inserting one Interaction, with the project's default
authentication, permission and throttle classes: what DRF costs per request before any domain logic.
It lives in bench/ only; the product's URLs never mount it.
"""

from rest_framework import generics, serializers

from interactions.models import Interaction


class BareInteractionSerializer(serializers.ModelSerializer):
    class Meta:
        model = Interaction
        fields = ["interaction_id", "customer_id", "channel", "intent", "emotion", "urgency", "confidence_score"]
        read_only_fields = ["interaction_id"]


class BareInteractionCreate(generics.CreateAPIView):
    serializer_class = BareInteractionSerializer
    queryset = Interaction.objects.all()
