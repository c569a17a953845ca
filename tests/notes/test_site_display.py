from notes.models import with_side


def test_it_puts_the_side_before_a_structure_that_lacks_one():
    assert with_side("Right", "glenohumeral joint") == "right glenohumeral joint"


def test_it_does_not_repeat_a_side_the_structure_already_names():
    assert with_side("Right", "Right tibiofemoral joint") == "Right tibiofemoral joint"
    assert with_side("Bilateral", "bilateral upper trapezius") == "bilateral upper trapezius"


def test_it_leaves_midline_structures_alone():
    assert with_side("", "C4-5") == "C4-5"
