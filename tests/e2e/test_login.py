from playwright.sync_api import expect


def test_it_signs_in_and_shows_the_home_page(page, live_server, login, pt):
    page.goto(f"{live_server.url}/patients/")
    # Anonymous: sent to the sign-in page first.
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    login(page, "pt")
    expect(page.get_by_role("heading", name="Good")).to_contain_text("Pat")
    expect(page.get_by_role("link", name="Patients")).to_be_visible()


def test_it_says_nothing_about_which_part_was_wrong(page, live_server, pt):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("pt")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_text("Please enter a correct username and password")).to_be_visible()
