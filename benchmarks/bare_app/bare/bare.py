"""Three pages, a state with a couple of vars, an on_load and a switch: what any
Reflex app pays per navigation, without the portal's work."""

import datetime

import reflex as rx


class BareState(rx.State):
    greeting: str = "hello"
    loads: int = 0
    items: list[str] = []

    @rx.event
    def load(self):
        self.loads += 1
        self.items = [f"item {i}" for i in range(3)]

    @rx.event
    def toggle(self):
        self.greeting = "你好" if self.greeting == "hello" else "hello"

    @rx.var
    def today(self) -> str:
        return datetime.date.today().isoformat()


def _page(title: str) -> rx.Component:
    return rx.vstack(
        rx.heading(title),
        rx.text(BareState.greeting, " ", BareState.today),
        rx.foreach(BareState.items, rx.text),
        rx.button("switch", on_click=BareState.toggle),
        rx.link("home", href="/"), rx.link("jobs", href="/jobs"), rx.link("account", href="/account"),
    )


app = rx.App()
app.add_page(lambda: _page("Home"), route="/", on_load=BareState.load)
app.add_page(lambda: _page("Jobs"), route="/jobs", on_load=BareState.load)
app.add_page(lambda: _page("Account"), route="/account", on_load=BareState.load)
