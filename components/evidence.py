"""The sentences of an answer that supported a score, as the practice feedback, the score
report and the reviewer's page show them."""

from __future__ import annotations

import reflex as rx


def sentence_list(sentences: rx.Var, item_class: str) -> rx.Component:
    return rx.el.ul(rx.foreach(sentences, lambda s: rx.el.li(rx.text(s, size="2"), class_name=item_class)),
                    style={"paddingLeft": "1.2em", "margin": 0})
