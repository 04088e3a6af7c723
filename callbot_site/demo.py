"""A small demo data set for `make run`: customers, interactions with transcripts, queued tickets."""

import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import two_factor
from callbot_site import agents
from crm import approval_rules, approvals
from crm import services as crm_services
from crm.models import Customer
from handoff import services as handoff_services
from handoff.models import Queue
from handoff.services.queues import create_queue
from interactions import services as interaction_services

DEMO_ACCOUNTS = [
    ("supervisor", "demo-supervisor-pass", True),
    ("agent1", "demo-agent1-pass", False),
    ("agent2", "demo-agent2-pass", False),
]

# Supervisors sign in with a TOTP code too. On the embedded local database only, the demo supervisor's
# authenticator is this fixed, published secret: `manage.py demo_totp supervisor` prints its current code,
# or put the base32 key in any authenticator app (README, "Demo accounts"). Never used elsewhere.
DEMO_TOTP_USERNAME = "supervisor"
DEMO_TOTP_SECRET_HEX = b"callbot-demo-totp-01".hex()  # base32: MNQWY3DCN52C2ZDFNVXS25DPORYC2MBR

CUSTOMERS = [
    ("CUST-001", "Camille Martin", "camille.martin@example.org", "+33612345601", "premium"),
    ("CUST-002", "Louis Bernard", "louis.bernard@example.org", "+33612345602", "standard"),
    ("CUST-003", "Chloé Petit", "chloe.petit@example.org", "+33612345603", "standard"),
    ("CUST-004", "Hugo Durand", "hugo.durand@example.org", "+33612345604", "premium"),
    ("CUST-005", "Emma Leroy", "emma.leroy@example.org", "+33612345605", "standard"),
]

# What the bot proposes for the action types that need a person's approval (crm.ActionRule).
PROPOSED_INPUT = {
    "update_address": {"address": "12 rue des Lilas", "city": "Lyon"},
    "update_payment_method": {"method": "sepa_direct_debit", "iban_last4": "0042"},
}

# (customer, channel, intent, emotion, urgency, transcript, crm action, handoff (queue, priority, reason) or None)
# A gated crm action (update_address, update_payment_method) is proposed for approval instead of logged.
CONVERSATIONS = [
    (
        "CUST-001",
        "phone",
        "update_address",
        "neutral",
        "low",
        ["Bonjour, je viens de déménager.", "Quelle est votre nouvelle adresse ?", "12 rue des Lilas, Lyon."],
        ("update_address", True),
        None,
    ),
    (
        "CUST-002",
        "chat",
        "check_policy_status",
        "calm",
        "low",
        ["Mon contrat auto est-il actif ?", "Oui, il est actif jusqu'au 31/12."],
        ("check_policy_status", True),
        None,
    ),
    (
        "CUST-003",
        "phone",
        "claim_dispute",
        "angry",
        "high",
        ["Mon sinistre a été refusé, c'est inadmissible !", "Je comprends, je vous passe un conseiller."],
        ("check_policy_status", False),
        ("claims", "high", "Customer disputes a refused claim"),
    ),
    (
        "CUST-004",
        "phone",
        "update_payment_method",
        "frustrated",
        "medium",
        ["Le prélèvement a échoué deux fois.", "Je transfère votre demande au service facturation."],
        ("update_payment_method", False),
        ("billing", "medium", "Payment method update failed twice"),
    ),
    (
        "CUST-005",
        "email",
        "cancel_policy",
        "sad",
        "medium",
        ["Je souhaite résilier mon contrat habitation.", "Un conseiller va vous recontacter."],
        ("get_customer_info", True),
        ("claims", "low", "Cancellation request needs a human"),
    ),
    (
        "CUST-001",
        "chat",
        "claim_status",
        "anxious",
        "high",
        ["Où en est mon dossier de dégât des eaux ?", "Je vous mets en relation avec un conseiller."],
        ("check_policy_status", True),
        ("claims", "medium", "Water damage claim follow-up"),
    ),
]


def ensure_demo_accounts() -> list[tuple[str, str, bool]]:
    for username, password, supervisor in DEMO_ACCOUNTS:
        agents.create_agent(username=username, password=password, supervisor=supervisor)
    return DEMO_ACCOUNTS


@transaction.atomic
def ensure_demo_totp_device():
    """The demo supervisor's confirmed TOTP device with the published demo secret (embedded database only)."""
    user = get_user_model().objects.get(username=DEMO_TOTP_USERNAME)
    device = two_factor.totp_device(user) or TOTPDevice(user=user, name=two_factor.TOTP_NAME)
    if device.key != DEMO_TOTP_SECRET_HEX or not device.confirmed:
        device.key, device.confirmed, device.last_t, device.drift = DEMO_TOTP_SECRET_HEX, True, -1, 0
        device.save()
    return device


@transaction.atomic
def load_demo_data() -> bool:
    """Fill an empty database; returns False (and writes nothing) when customers already exist."""
    if Customer.objects.exists():
        return False
    for name in sorted({handoff[0] for *_, handoff in CONVERSATIONS if handoff}):
        if not Queue.objects.filter(name=name).exists():  # bots may only name queues that exist
            create_queue(name=name)
    for customer_id, name, email, phone, segment in CUSTOMERS:
        crm_services.create_customer(customer_id=customer_id, name=name, email=email, phone=phone, segment=segment)
    for customer_id, channel, intent, emotion, urgency, lines, (action, ok), handoff in CONVERSATIONS:
        _conversation(customer_id, channel, intent, emotion, urgency, lines, action, ok, handoff)
    return True


def _conversation(customer_id, channel, intent, emotion, urgency, lines, action, ok, handoff) -> None:
    interaction = interaction_services.create_interaction(
        customer_id=customer_id,
        channel=channel,
        intent=intent,
        emotion=emotion,
        urgency=urgency,
        confidence_score=0.92 if handoff is None else 0.55,
    )
    for index, line in enumerate(lines):
        speaker = "customer" if index % 2 == 0 else "agent"
        interaction_services.add_conversation_message(interaction_id=interaction.pk, speaker=speaker, message=line)
    logged = None
    if approval_rules.rule_for(action).requires_approval:
        # A risky action waits for a person: it shows in the console's Approvals queue.
        approvals.propose_crm_action(
            interaction_id=interaction.pk,
            action_type=action,
            input_data=PROPOSED_INPUT.get(action, {"customer_id": customer_id}),
            reason=f"The customer asked: {lines[0]}",
        )
    else:
        logged = crm_services.log_crm_action(
            interaction_id=interaction.pk,
            customer_id=customer_id,
            action_type=action,
            success=ok,
            input_data={"customer_id": customer_id},
            output_data={"ok": ok},
            error_message="" if ok else "CRM refused the operation",
            execution_time_ms=180,
        )
    interaction_services.log_response(
        interaction_id=interaction.pk,
        response_text=lines[-1],
        tone="empathetic",
        confidence_score=0.8,
        execution_time_ms=420,
        model_used="gpt-4o-mini",
    )
    if handoff is None:
        interaction_services.update_interaction_status(interaction_id=interaction.pk, status="completed")
        return
    queue_name, priority, reason = handoff
    context = {"intent": intent, "emotion": emotion, "last_customer_message": lines[0]}  # the free form
    if intent == "claim_dispute":  # this ticket shows the structured packet (docs/api.md, "Handoff packet")
        context = _claim_dispute_packet(lines[0], logged)
    handoff_services.create_handoff_ticket(
        interaction_id=interaction.pk, reason=reason, priority=priority, queue_name=queue_name, context_data=context
    )


def _claim_dispute_packet(said: str, action) -> dict:
    call_back_by = timezone.now() + datetime.timedelta(hours=2)
    return {
        "version": 1,
        "understood": {
            "intent": "claim_dispute",
            "summary": said,
            "entities": {"policy_number": "POL-2024-118", "claim_number": "CLM-77031"},
        },
        "actions_done": [
            {"action_id": str(action.pk), "description": "Checked the policy", "success": action.success}
            for action in [action]
            if action is not None
        ],
        "promises": [
            {
                "text": "An adviser calls you back within two hours",
                "kind": "callback",
                "due_at": call_back_by.isoformat(),
            },
            {"text": "We e-mail you the complaint form", "kind": "send_form"},
        ],
        "missing": ["Photos of the damage"],
        "preference": {"channel": "phone"},
    }
