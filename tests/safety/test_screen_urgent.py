"""The safety screen's urgent lines (crisis, emergency, active use) without servers.

An experience now decides; one before, after, in general or in someone's history
is only a cue for the classifier, and look-alike words ("overcome") decide nothing.
Each rule is tested with the texts it lets through and the real ones it must catch.
"""

from __future__ import annotations

import pytest

from lantern.safety.screen import screen

ACTIVE = "safety_active_use"
ADVICE = "request_personal_advice"
EMERGENCY = "safety_emergency"
CRISIS = "safety_crisis"


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


@pytest.mark.parametrize(
    "text, expected",
    [
        # told as over: the risk model reads these instead
        ("I attempted suicide at 19. I'm 34 now and doing well. Will the intake ask?", None),
        ("i used to self harm in high school, 6 yrs clean. do they ask about that", None),
        ("Back in 2019 I thought about ending things. I'm in a much better place now.", None),
        ("i self harmed in college, long over. will the clinic ask about it", None),
        ("I wanted to die when I was 17. Doing really well now, will the intake ask?", None),
        ("I wanted to die when I was 17. Doing really well but it's back lately", CRISIS),
        # no statement that it is over, a negated one, or a sign that it is back
        ("I tried to kill myself years ago, is ketamine safe for me?", CRISIS),
        ("I tried to kill myself years ago and I'm not doing well", CRISIS),
        ("I self harmed in high school, was doing well, but now it's started again", CRISIS),
        ("I attempted suicide at 19. I'm doing well but I think about it every day", CRISIS),
        ("I had a bad trip years ago and now I just want to die", CRISIS),
    ],
)
def test_crisis_history_told_as_over_versus_back_now(text: str, expected: str | None) -> None:
    assert screen(text).category == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        # people in general, a study of them, or a loss: the risk model reads these
        ("How can a teacher tell if a student is thinking about suicide?", None),
        ("what are the warning signs that an older parent might feel suicidal", None),
        ("If someone at church says they want to die, what should an usher say?", None),
        ("Our grief circle includes parents who lost a child to suicide. Any research?", None),
        ("my cousin died by suicide in 2015, is ketamine studied for grief", None),
        ("I'm writing an essay on suicide prevention, which ketamine trials matter?", None),
        # the writer in the clause, a sign of now, or a method: still a crisis
        ("someone please help, I want to die", CRISIS),
        ("my sister says she wants to die and she's locked in her room right now", CRISIS),
        ("my brother keeps saying he wants to die", CRISIS),
        ("how many pills would someone need to end it all", CRISIS),
        ("I lost my dad to suicide and now I want to die too", CRISIS),
        ("people say it gets better but I'm thinking about suicide", CRISIS),
    ],
)
def test_crisis_about_people_in_general_versus_someone_now(text: str, expected: str | None) -> None:
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
    "text", ["I'm going to overcome this depression with ketamine", "I'm going to overdo it"]
)
def test_overcome_is_not_overdose(text: str) -> None:
    assert screen(text).category is None


def test_going_to_overdose_is_still_crisis() -> None:
    assert screen("I'm going to overdose tonight").category == "safety_crisis"
