"""TurnInput builds its fields once per process; validation stays per request, also across threads."""

import threading

from callbot_site.api.turns import TurnInput

GOOD = {
    "interaction": {"customer_id": "CUST-1", "channel": "phone"},
    "message": {"message": "Bonjour"},
    "response": {"response_text": "Bonjour !", "confidence_score": 0.5},
}
BAD_CHANNEL = {"interaction": {"customer_id": "CUST-1", "channel": "fax"}, "message": {"message": "Bonjour"}}
BAD_TYPE = {"interaction_id": "not-a-uuid", "message": {"message": 12}}


def _outcome(body):
    serializer = TurnInput(data=body)
    if serializer.is_valid():
        return "ok", serializer.validated_data
    return "invalid", serializer.errors


def test_the_fields_are_shared_between_instances():
    assert TurnInput().fields is TurnInput(data=GOOD).fields


def test_errors_belong_to_their_own_request():
    first, good, second = _outcome(BAD_CHANNEL), _outcome(GOOD), _outcome(BAD_TYPE)
    assert first[0] == "invalid" and set(first[1]) == {"interaction"} and "channel" in first[1]["interaction"]
    assert good[0] == "ok" and good[1]["interaction"]["channel"] == "phone"
    assert good[1]["response"]["add_to_transcript"] is True  # defaults still filled in
    assert second[0] == "invalid" and set(second[1]) == {"interaction_id", "message"}
    assert second[1]["message"] == {"message": ["Expected a JSON string."]}


def test_threads_validating_at_once_never_see_each_others_data():
    bodies = [GOOD, BAD_CHANNEL, BAD_TYPE, {**GOOD, "interaction": {"customer_id": "CUST-2", "channel": "chat"}}]
    expected = [_outcome(body) for body in bodies]
    mismatches: list = []
    barrier = threading.Barrier(8)

    def work(offset: int):
        barrier.wait()
        for round_ in range(60):
            index = (offset + round_) % len(bodies)
            if _outcome(bodies[index]) != expected[index]:
                mismatches.append(index)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert mismatches == []
