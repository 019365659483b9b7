"""The NLU focus step: long stories are classified by their question, nothing is lost."""

from __future__ import annotations

from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message

from kontaktcenter.dialogue.signals import question_focus
from rasa_addons.question_focus import FULL_TEXT, QuestionFocus

STORY = (
    "Hej! Vi ska resa bort över julen och kommer hem först den 27:e. Jag behöver hämta ut "
    "ett intyg innan vi åker, och min sambo säger att det brukar vara långa köer i december "
    "så vi vill vara ute i god tid med allt det praktiska. Har ni öppet på julafton?"
)


def test_long_story_is_narrowed_to_its_question_and_the_full_text_kept() -> None:
    message = Message(data={TEXT: STORY})
    [out] = QuestionFocus().process([message])
    assert out.get(TEXT).endswith("Har ni öppet på julafton?")
    assert "27:e" not in out.get(TEXT)
    assert out.get(FULL_TEXT) == STORY


def test_short_messages_and_odd_input_are_untouched() -> None:
    short = Message(data={TEXT: "Har ni öppet idag?"})
    empty = Message(data={TEXT: ""})
    [a, b] = QuestionFocus().process([short, empty])
    assert a.get(TEXT) == "Har ni öppet idag?" and a.get(FULL_TEXT) is None
    assert b.get(TEXT) == ""


def test_a_story_without_question_marks_keeps_its_last_sentence() -> None:
    text = " ".join(["Jag har ett ärende som gäller min fastighet och grannens staket."] * 6)
    assert question_focus(text + " Vart vänder jag mig") == "Vart vänder jag mig"
