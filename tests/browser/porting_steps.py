"""Steps of a port request in the browser, small enough to chain into longer walks (issue #18's
acceptance test: the partner drafts, has the letter of authority signed, submits; the co-ordinator
then records what the carrier said)."""

from playwright.sync_api import Page, expect

from tests.porting.loa_text import pdf_text


def draft_gb_port(page: Page, *, numbers: str, main_billing_number: str, address: str, region: str = "ENG") -> int:
    """A complete GB draft, risks acknowledged, through the form; returns its id."""
    page.get_by_role("link", name="Ports", exact=True).click()
    page.get_by_role("link", name="New port request").click()
    page.locator("#id_region").select_option(region)
    page.locator("#id_number_type").select_option("analogue")
    page.locator("#id_main_billing_number").fill(main_billing_number)
    page.locator("#id_numbers").fill(numbers)
    page.locator("#id_registered_address").fill(address)
    page.locator("#id_losing_provider").select_option("BT")
    page.locator("#id_range_holder").select_option("BT Wholesale")
    page.locator("#id_risks_acknowledged").check()
    page.get_by_role("button", name="Save draft").click()
    expect(page.get_by_test_id("status")).to_have_text("Draft")
    return int(page.url.rstrip("/").rsplit("/", 1)[-1])


def download_loa(page: Page) -> str:
    """Download the pre-filled letter from the request page; returns its text."""
    with page.expect_download() as download:
        page.get_by_test_id("loa").get_by_test_id("loa-download").click()
    path = download.value.path()
    with open(path, "rb") as pdf:
        return pdf_text(pdf.read())


def sign_loa_online(page: Page, *, name: str, position: str) -> None:
    """From the request page: the end customer signs online (name, position, consent)."""
    page.get_by_test_id("loa").get_by_role("link", name="Sign online").click()
    page.get_by_label("Full name of the signer").fill(name)
    page.get_by_label("Their position").fill(position)
    page.locator("#id_consent").check()
    page.get_by_role("button", name="Sign the letter").click()
    expect(page.get_by_test_id("loa")).to_contain_text(f"Signed online by {name} ({position})")
