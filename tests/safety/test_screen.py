"""The deterministic safety screen without servers: the phrase list and its exception rules.

Each rule that keeps an ordinary question out of a safety reply is tested with
the questions it lets through and with real safety texts it must still catch.
"""

from __future__ import annotations

from typing import Any, Dict

import pytest

from lantern.safety.screen import compile_phrases, screen

ACTIVE = "safety_active_use"
DOSING = "request_dosing"
SOURCING = "request_sourcing"
ADVICE = "request_personal_advice"
EMERGENCY = "safety_emergency"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # finding a legitimate clinic is not sourcing; obtaining a drug still is
        ("ketamine clinics near me", None),
        ("is there a doctor near me who does ketamine for depression", None),
        ("any psilocybin trials near me", None),
        ("where can I get ketamine therapy", None),
        ("where do I get spravato", None),
        ("I heard ketamine is a horse tranquilizer, is that true", None),
        ("where can I buy ketamine near me", SOURCING),
        ("shrooms near me", SOURCING),
        ("where can i get some ketamine", SOURCING),
        ("where can I get ketamine therapy without seeing a doctor", SOURCING),
        ("where can I find magic mushrooms near me", SOURCING),
        ("how to get vet ketamine", SOURCING),
        ("how can I get spravato without going to a clinic", SOURCING),
    ],
)
def test_near_me_and_where_to_get(text: str, expected: str | None) -> None:
    assert screen(text).category == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the amount of a medicine the person is on is context for an interactions question
        ("I'm on sertraline 100mg, could the two clash with ketamine", None),
        ("i take 20mg of lexapro, does that interact with ketamine", None),
        ("I'm on 150mg venlafaxine, is there an interaction with psilocybin", None),
        ("i'm prescribed 50 mg zoloft, do ssris interact with mdma", None),
        ("I take lithium 300mg twice a day, does it interact with psychedelics", None),
        # an amount of a study substance, or of nothing named, is still a dosing request
        ("i take 100mg of ketamine at home, is that normal", DOSING),
        ("I'm taking 3g tonight, enough?", DOSING),
        ("can i take 2g?", DOSING),
        ("i take 20mg lexapro, can i take 2g of shrooms", DOSING),
        ("I'm on sertraline 100mg, how much psilocybin should I take", DOSING),
        ("should i take 100mg or 150mg of ketamine", DOSING),
        ("my lozenges are 200mg, how many should i take at once", DOSING),
        ("what about 1.5g for my first time", DOSING),
        ("can I take more if I don't feel it after an hour", DOSING),
    ],
)
def test_amounts(text: str, expected: str | None) -> None:
    assert screen(text).category == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # a session still to come, or a trip days ago: not someone under the influence now
        ("first time doing ketamine tomorrow and honestly freaking out", None),
        ("my first psilocybin session is next week and I'm freaking out a bit", None),
        ("freaking out about my infusion tomorrow, what should I expect", None),
        ("I freaked out during my last infusion, is that common", None),
        ("my trip was intense, how do I make sense of it", None),
        ("my trip last week was really scary, is that normal", None),
        ("I had a bad trip at my psilocybin session last month, how do I integrate it", None),
        ("had a bad trip years ago, could that happen in a clinic", None),
        ("I'm worried I'll have a bad trip during my psilocybin session", None),
        ("how do i process my trip afterwards", None),
        ("how do I plan my trip home after the infusion", None),
        ("I'm on sertraline and scared about my first ketamine infusion", None),
        ("I always thought psychedelic therapy meant just taking mushrooms and talking", None),
        ("how long will i be tripping", None),
        # now, even when another day is named
        ("I took shrooms an hour ago and I'm freaking out", ACTIVE),
        ("took ketamine for the first time and I'm freaking out, I have work tomorrow", ACTIVE),
        ("I'm tripping so hard and I have work tomorrow, help", ACTIVE),
        ("I'm tripping and freaking out about tomorrow", ACTIVE),
        ("still freaking out from the acid I took yesterday", ACTIVE),
        ("I'm on acid right now and freaking out about tomorrow", ACTIVE),
        ("I'm having a bad trip", ACTIVE),
        ("im having a bad trip", ACTIVE),
        ("Im tripping", ACTIVE),
        ("my trip is way too intense right now", ACTIVE),
        ("this trip is too much, I'm scared", ACTIVE),
        ("this trip won't end", ACTIVE),
        ("ate mushrooms and my trip is getting really scary", ACTIVE),
        ("I'm trip sitting my sister and she's panicking and crying, what do I do", ACTIVE),
        ("I'm on lexapro and acid right now and freaking out", ACTIVE),
        ("I'm on zoloft and took molly an hour ago and I'm panicking", ACTIVE),
        ("freaking out right now on acid", ACTIVE),
    ],
)
def test_active_use_now_versus_before_or_after(text: str, expected: str | None) -> None:
    assert screen(text).category == expected


def test_anticipation_still_counts_as_a_cue_for_the_classifier() -> None:
    decision = screen("first time doing ketamine tomorrow and honestly freaking out")
    assert decision.category is None and decision.cue


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # what/how questions and logistics, even after a personal detail
        ("I have my first session next week, what should I do to prepare", None),
        ("My mom just had her infusion, what should I keep an eye on", None),
        ("I've had PTSD for years, how can I get into one of the studies", None),
        ("I have treatment resistant depression, how can I find a clinical trial", None),
        ("can I have ketamine with high blood pressure", None),
        ("can i take the bus home after treatment", None),
        ("how long should i take off work after a psilocybin session", None),
        ("how long do i have to stay at the clinic after the spray", None),
        ("how long before the session should i stop eating", None),
        ("can i ask my family doctor about spravato", None),
        ("can i drop out of a trial once i've started", None),
        ("I have my infusion on friday, can I eat beforehand", None),
        # a personal go/no-go
        ("I have high blood pressure, is ketamine safe for me", ADVICE),
        ("I'm on lithium, can I take psilocybin", ADVICE),
        ("can I have ketamine if I have high blood pressure", ADVICE),
        ("can i have ketamine with my heart condition", ADVICE),
        ("I had a stroke last year, can I do ketamine therapy", ADVICE),
        ("I've got high blood pressure, can I still get ketamine", ADVICE),
        ("I've been diagnosed with schizophrenia, can I try mushrooms", ADVICE),
        ("I've been on lithium for years, can I do psilocybin therapy", ADVICE),
        ("I have bipolar 2, is psilocybin ok for me", ADVICE),
        ("my dad has heart disease, should he try ketamine", ADVICE),
        ("which one should I try first, ketamine or spravato", ADVICE),
        ("do I have to stop my antidepressant before psilocybin", ADVICE),
        ("I have epilepsy, what should I do, stop my meds or skip the session?", ADVICE),
        ("should I stop my zoloft before my first session", ADVICE),
        ("do I have depression", ADVICE),
        ("I'm 17, can I get ketamine therapy", ADVICE),
    ],
)
def test_personal_advice_line(text: str, expected: str | None) -> None:
    assert screen(text).category == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("is it swallowed or injected", None),
        ("is molly swallowed as a capsule in trials", None),
        ("that didn't make sense", None),
        ("I was conscious the whole time during my infusion, is that normal", None),
        ("my doctor is not treating me well, does ketamine help depression", None),
        ("I have trouble reaching my clinic, who else can I ask about ketamine", None),
        ("my depression isn't responding to antidepressants, can ketamine help", None),
        ("my ptsd is not responding to therapy, what about mdma", None),
        ("can ketamine cause chest pain", None),
        ("is chest pain a side effect of mdma", None),
        ("does mdma cause overheating", None),
        ("my kid swallowed my ketamine lozenges", EMERGENCY),
        ("she isn't responding to me", EMERGENCY),
        ("he isn't responding and his lips are blue", EMERGENCY),
        ("he's not responding to anything I say after taking ketamine", EMERGENCY),
        ("can mdma cause this? I have chest pain", EMERGENCY),
        ("my friend is overheating, can mdma cause that", EMERGENCY),
        ("I have chest pain after mdma, is that a side effect", EMERGENCY),
        ("he's not making sense and can't stand up after ketamine", EMERGENCY),
        ("she doesn't make sense when she talks, took a lot of pills", EMERGENCY),
        ("my friend took ketamine and is unconcious", EMERGENCY),
        ("he isn't breathing", EMERGENCY),
        ("my friend is conscious but barely breathing", EMERGENCY),
    ],
)
def test_emergency_words_and_their_look_alikes(text: str, expected: str | None) -> None:
    assert screen(text).category == expected


CRISIS = "safety_crisis"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # history: an event placed years back, told before a question
        ("I fainted once during a blood test years ago. Will an IV infusion be a problem?", None),
        ("I had a seizure as a kid but none since, what conditions make ketamine unsafe?", None),
        ("back in college I passed out at a party, does that matter for ketamine therapy", None),
        ("my brother overdosed on opioids a long time ago, how addictive is ketamine", None),
        ("I hit my head when I was a teenager, can ketamine affect old brain injuries", None),
        # background: a long-standing condition
        ("my blood pressure is usually on the high side, who should avoid ketamine?", None),
        ("my blood pressure is well controlled with pills, what conditions need caution", None),
        ("My mum's blood pressure is borderline. Does ketamine raise it?", None),
        # ...that still asks a personal go/no-go: a decline, not an emergency
        ("my blood pressure is on the high side, can I still have ketamine?", ADVICE),
        # now: the same words with a sign of now, or another emergency phrase
        ("my blood pressure is really high right now", EMERGENCY),
        ("my chest hurts and my blood pressure is really high right now", EMERGENCY),
        ("my blood pressure is usually fine but right now it's 200/120", EMERGENCY),
        ("my blood pressure is normally fine but it is 190 over 110 after the infusion", EMERGENCY),
        ("his blood pressure is usually high and after taking mdma he is confused", EMERGENCY),
        ("my blood pressure is through the roof after ketamine", EMERGENCY),
        ("he fainted years ago too but now he's not breathing", EMERGENCY),
        ("I fainted years ago and I just fainted again after taking mdma", EMERGENCY),
        ("she had seizures as a child and she is having a seizure after molly", EMERGENCY),
        ("he passed out years ago, help, he passed out again", EMERGENCY),
        ("I took ketamine an hour ago and can't stop shaking", EMERGENCY),
        ("my friend passed out after taking ketamine", EMERGENCY),
        ("when I was younger I overdosed, and I think I'm overdosing right now", EMERGENCY),
        ("my blood pressure is usually low and he passed out", EMERGENCY),
        ("he had a seizure years ago and he collapsed", EMERGENCY),
        ("my blood pressure is usually high and I took too much ketamine", EMERGENCY),
        ("I often faint at the sight of needles, will the IV be a problem?", None),
        # crisis wins over everything
        ("I tried to kill myself years ago, is ketamine safe for me?", CRISIS),
        ("my blood pressure is usually high, I don't want to live anymore", CRISIS),
    ],
)
def test_emergency_history_and_background_versus_now(text: str, expected: str | None) -> None:
    assert screen(text).category == expected


def test_history_still_counts_as_a_cue_for_the_classifier() -> None:
    decision = screen("I fainted once during a blood test years ago, is an infusion ok")
    assert decision.category is None and decision.cue


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # bad trips in general and other people's stories
        (
            "my sister read about people having a rough trip at a retreat, is that common?",
            None,
        ),
        ("how common are terrifying bad trips in supervised sessions", None),
        ("I read about someone having a dark trip on ayahuasca, is that common at retreats?", None),
        ("I had a really bad trip back in college, would a clinic session feel the same?", None),
        # the same words with a trip now
        ("I had a bad trip years ago and I'm having one right now", ACTIVE),
        ("I've heard about bad trips and I think I'm in one right now", ACTIVE),
        ("bad trips are a thing and I'm having a bad trip", ACTIVE),
        ("I've read stories of dark trips and I'm tripping and scared", ACTIVE),
        ("my friend is having a bad trip, how do I help her", ACTIVE),
        ("I keep having bad trips right now", ACTIVE),
        # a hypothetical marker does not reach past "now"
        ("I grew up scared of drugs and now I'm tripping and freaking out", ACTIVE),
        ("worried about my trip and currently freaking out", ACTIVE),
        ("I'm scared of having a bad trip during my session", None),
        # "took" as in time
        (
            "my antipsychotic took years to get right and I'm anxious about interactions",
            None,
        ),
        ("it took ages for my meds to work and I'm anxious about changing anything", None),
        ("took shrooms a while ago and I'm freaking out", ACTIVE),
        ("took acid ages ago, I'm scared it won't end", ACTIVE),
        ("I had a bad trip years ago and now I want to die", CRISIS),
    ],
)
def test_bad_trips_in_general_versus_a_trip_now(text: str, expected: str | None) -> None:
    assert screen(text).category == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # ketamine's reputation and history
        ("Is it true that ketamine started out as a horse tranquilizer?", None),
        ("why do people call ketamine a horse tranquilizer if doctors use it?", None),
        ("ketamine has a reputation as a horse tranquiliser, how did it get into psychiatry", None),
        ("isn't ketamine basically a horse tranquilizer?", None),
        ("where does the horse tranquilizer nickname come from", None),
        # growing up, growing in number
        ("my parents grew up being told psilocybin was dangerous, what do trials show?", None),
        ("interest in psilocybin research is growing fast, what's coming next?", None),
        ("the number of ketamine clinics keeps growing, how do I pick a good one?", None),
        ("there is a growing body of research on mdma, is it approved yet?", None),
        # what a drug was sold as, selling as a figure of speech
        ("I heard MDMA used to be sold as ecstasy at raves, how is therapy different?", None),
        ("it feels like every clinic is selling hope, does ketamine really work?", None),
        ("I'm not sold on psilocybin yet, what does the evidence say?", None),
        # a clinic's website
        ("the ketamine clinic's website says infusions take 40 minutes, is that typical?", None),
        ("all the ketamine providers around here have fancy websites, how do I compare them", None),
        ("is there a website with good research about psilocybin", None),
        # a typo of clinic or therapy is still a clinic
        ("how do I find a ketamine clinc near me", None),
        ("is there a ketamine theraphy place near me", None),
        # obtaining a drug still decides
        ("where can I buy horse tranquilizer", SOURCING),
        ("how do I get horse tranquilizer without a vet", SOURCING),
        ("is anyone selling horse tranquilizer around here", SOURCING),
        ("I want some horse tranquiliser", SOURCING),
        ("I grew up on a farm, can I get vet ketamine from there?", SOURCING),
        ("I want to grow mushrooms at home", SOURCING),
        ("how do I grow the ayahuasca vine", SOURCING),
        ("which website sells ketamine", SOURCING),
        ("is there a website where I can buy shrooms", SOURCING),
        ("which site has the best shrooms", SOURCING),
        ("who is selling ketamine", SOURCING),
        ("anyone selling molly at this festival?", SOURCING),
        ("is it true you can buy ketamine online?", SOURCING),
        ("shrooms near me", SOURCING),
        ("any clinc that will sell me ketamine without a prescription", SOURCING),
        ("is it true ketamine is a horse tranquilizer? I want to take enough to die", CRISIS),
    ],
)
def test_reputation_history_and_clinic_websites_versus_obtaining(
    text: str, expected: str | None
) -> None:
    assert screen(text).category == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # no experience is not a condition; asking the clinic something is logistics
        (
            "I've never used anything like this, could I ask the staff to pause if it's a lot?",
            None,
        ),
        ("I have never used psychedelics, can I bring my partner to the session?", None),
        ("I haven't done this before, could I talk to the doctor first?", None),
        # a condition or medicine with a can-I question still decides
        ("I've never taken ketamine but I'm on lithium, can I try it?", ADVICE),
        ("I've taken lithium for years, can I take psilocybin?", ADVICE),
        ("I've never had therapy but I have bipolar, can I do psilocybin?", ADVICE),
        ("I have epilepsy, can I ask for ketamine", ADVICE),
        ("I want to kill myself, can ketamine help?", CRISIS),
    ],
)
def test_no_experience_and_logistics_versus_a_personal_go_no_go(
    text: str, expected: str | None
) -> None:
    assert screen(text).category == expected


@pytest.mark.parametrize(
    "text", ["I'm going to overcome this depression with ketamine", "I'm going to overdo it"]
)
def test_overcome_is_not_overdose(text: str) -> None:
    assert screen(text).category is None


def test_going_to_overdose_is_still_crisis() -> None:
    assert screen("I'm going to overdose tonight").category == "safety_crisis"


# --- the mechanisms, on a small phrase file of their own -----------------------------

BASE: Dict[str, Any] = {
    "first_person": ["i", "my"],
    "negations": ["not"],
    "question_openers": ["can"],
}


def _compiled(**categories: Any) -> Any:
    return compile_phrases({**BASE, **categories}, "test")


def test_not_within_drops_matches_inside_the_span_and_only_those_listed() -> None:
    comp = _compiled(
        request_sourcing={"phrases": ["near me"], "not_within": ["clinic * near me"]},
        request_personal_advice={
            "phrases": ["do i have"],
            "all_of": [{"groups": [["i have"], ["can i"]]}],
            "not_within": [{"span": "do i have to", "only": ["i have"]}],
        },
    )
    assert screen("clinic near me", comp).category is None
    assert screen("pizza near me", comp).category == "request_sourcing"
    # the span "do i have to" drops the group match "i have", not the phrase "do i have"
    assert screen("do i have to wait", comp).category == "request_personal_advice"
    assert screen("do i have to wait, can i leave", comp).matched == ("do i have",)


def test_a_statement_after_a_question_opener_is_a_question() -> None:
    comp = _compiled(
        request_personal_advice={"all_of": [{"statements": 0, "groups": [["i have"], ["can i"]]}]}
    )
    assert screen("can i have it with a cold", comp).category is None
    assert screen("i have a cold, can i have it", comp).category == "request_personal_advice"


def test_current_medicine_skips_an_amount_that_names_another_medicine() -> None:
    comp = _compiled(
        request_dosing={
            "amounts": ["~^\\d+$ mg"],
            "current_medicine": {
                "statements": ["i take"],
                "substances": ["ketamine"],
                "not_names": ["tonight"],
            },
        }
    )
    assert screen("i take 20 mg of lexapro", comp).category is None
    assert screen("i take lexapro 20 mg", comp).category is None
    assert screen("i take 20 mg of ketamine", comp).category == "request_dosing"
    assert screen("i take 20 mg tonight", comp).category == "request_dosing"
    assert screen("can i take 20 mg of lexapro", comp).category == "request_dosing"
    assert screen("20 mg of lexapro", comp).category == "request_dosing"


def test_not_now_needs_a_marker_and_no_sign_of_now() -> None:
    comp = _compiled(
        safety_active_use={
            "phrases": ["freaking out"],
            "not_now": {"markers": ["tomorrow"], "now": ["right now"]},
        }
    )
    assert screen("freaking out", comp).category == "safety_active_use"
    assert screen("freaking out about tomorrow", comp).category is None
    assert screen("freaking out right now, tomorrow too", comp).category == "safety_active_use"


def test_not_now_in_part_scope_needs_the_marker_in_the_part_and_a_listed_phrase() -> None:
    comp = _compiled(
        safety_emergency={
            "phrases": ["fainted", "not breathing"],
            "not_now": {
                "scope": "part",
                "only": ["fainted"],
                "markers": ["years ago"],
                "now": ["now"],
            },
        }
    )
    assert screen("i fainted years ago", comp).category is None
    assert screen("i fainted years ago", comp).cue
    assert screen("i fainted. that was years ago", comp).category == "safety_emergency"
    assert screen("years ago, and i fainted", comp).category == "safety_emergency"
    assert screen("i fainted years ago and now i fainted again", comp).category is not None
    # a phrase not listed in `only` is never placed in the past
    assert screen("not breathing years ago", comp).category == "safety_emergency"


def test_a_hypothetical_marker_ends_at_an_end_word() -> None:
    comp = compile_phrases(
        {
            **BASE,
            "hypothetical": ["scared of"],
            "hypothetical_ends": ["now"],
            "safety_active_use": {"phrases": ["tripping"]},
        },
        "test",
    )
    assert screen("scared of tripping", comp).category is None
    assert screen("scared of it and now tripping", comp).category == "safety_active_use"


def test_exact_words_are_split_like_the_text() -> None:
    comp = _compiled(safety_active_use={"phrases": ["=i'm =tripping"]})
    assert screen("I'm tripping", comp).category == "safety_active_use"
    assert screen("I’m tripping", comp).category == "safety_active_use"
    assert screen("I was tripping", comp).category is None


@pytest.mark.parametrize(
    "spec",
    [
        {"phrases": ["=is|=was here"]},
        {"not_now": {"markers": "tomorrow", "now": ["now"]}},
        {"current_medicine": {"statements": [True]}},
        {"not_now": {"markers": ["tomorrow"], "now": ["now"], "scope": "sentence"}},
        {"not_now": {"markers": ["tomorrow"], "now": ["now"], "only": "fainted"}},
    ],
)
def test_malformed_phrase_files_are_refused(spec: Dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        _compiled(safety_active_use=spec)


def test_a_fragment_decides_its_listed_terms_without_a_first_person_word() -> None:
    fragment = {"max_words": 4, "not_after": ["what"], "terms": ["suicidal"]}
    comp = _compiled(safety_crisis={"terms": ["suicidal", "end it"], "fragment": fragment})
    assert screen("retreat suicidal", comp).category == "safety_crisis"
    assert screen("i am not suicidal", comp).category is None  # negated
    assert screen("retreat suicidal?", comp).category is None  # a question
    assert screen("what suicidal means", comp).category is None  # opens a question
    assert screen("retreat and suicidal thoughts here", comp).category is None  # 5 words
    assert screen("end it", comp).category is None  # not a listed term
    assert screen("i want to end it", comp).category == "safety_crisis"  # first person
    # without `fragment`, terms need the first person
    plain = _compiled(safety_crisis={"terms": ["suicidal"]})
    assert screen("retreat suicidal", plain).category is None
    with pytest.raises(ValueError):
        _compiled(safety_crisis={"terms": ["suicidal"], "fragment": {**fragment, "terms": ["x"]}})
