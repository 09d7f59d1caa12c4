using MicoPortal.Client.Pages.Admin;
using MicoPortal.Client.Services;
using MicoPortal.Client.Tests.Mocks;
using MicoPortal.Shared.Audit;

namespace MicoPortal.Client.Tests;

public class AuditPageTests : PortalTestContext
{
    public AuditPageTests()
    {
        Audit.Entries.Add(new AuditEntryDto(1, 1, TestData.Now.AddMinutes(-5), "admin@micoportal.local", "api-key.created", null, "created key mp_AbC123 for coins-store", new string('a', 64)));
        Audit.Entries.Add(new AuditEntryDto(2, 2, TestData.Now.AddMinutes(-4), null, "order.transition", 1001, "Received -> Submitted", "0123456789abcdef" + new string('b', 48)));
        Audit.Entries.Add(new AuditEntryDto(3, null, TestData.Now.AddMinutes(-1), null, "order.transition", 1002, "Received -> Submitted", null));
    }

    private IRenderedComponent<TestHost> RenderPage()
    {
        var cut = RenderInHost<Audit>();
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("tr.audit-entry").Count));
        return cut;
    }

    [Fact]
    public void A_broken_chain_shows_the_first_broken_sequence_and_why()
    {
        Audit.Verification = new AuditVerification(false, 120, new BrokenAuditEntry(57, "The entry's hash does not match its contents."), 2, 1);
        var cut = RenderPage();
        Assert.Empty(cut.FindAll(".chain-broken"));
        Assert.Equal(0, Audit.VerifyCalls);

        cut.Find("button.verify-chain").Click();

        cut.WaitForAssertion(() => Assert.Equal("57", cut.Find(".chain-broken .broken-sequence").TextContent.Trim()));
        Assert.Equal("The entry's hash does not match its contents.", cut.Find(".chain-broken .broken-reason").TextContent.Trim());
        Assert.Contains("mud-alert-filled-error", cut.Find(".chain-broken").ClassName);
        Assert.Empty(cut.FindAll(".chain-valid"));
        Assert.Equal(1, Audit.VerifyCalls);
    }

    [Fact]
    public void A_valid_chain_shows_how_many_entries_were_checked()
    {
        Audit.Verification = new AuditVerification(true, 12345, null, 3, 2);
        var cut = RenderPage();

        cut.Find("button.verify-chain").Click();

        cut.WaitForAssertion(() => Assert.Contains("The chain is intact.", cut.Find(".chain-valid").TextContent));
        var text = cut.Find(".chain-valid").TextContent;
        Assert.Contains($"{12345:N0} sealed entries checked", text);
        Assert.Contains("3 pending", text);
        Assert.Contains("2 checkpoint(s)", text);
        Assert.Empty(cut.FindAll(".chain-broken"));
    }

    [Fact]
    public void Entries_show_sequence_actor_action_order_link_and_short_hash()
    {
        var cut = RenderPage();

        var sealedEntry = cut.Find("tr.audit-entry[data-entry-id='2']");
        var cells = sealedEntry.QuerySelectorAll("td").Select(td => td.TextContent.Trim()).ToList();
        Assert.Equal("2", cells[0]);
        Assert.Equal(LocalTime.Format(TestData.Now.AddMinutes(-4)), cells[1]);
        Assert.Equal("portal", cells[2]);
        Assert.Equal("order.transition", cells[3]);
        Assert.Equal("orders/1001", sealedEntry.QuerySelector("a.order-link")!.GetAttribute("href"));
        Assert.Equal("0123456789ab…", cells[6]);
        Assert.Contains("pending", cut.Find("tr.audit-entry[data-entry-id='3']").TextContent);
        Assert.Contains("admin@micoportal.local", cut.Find("tr.audit-entry[data-entry-id='1']").TextContent);
    }

    [Fact]
    public void Filtering_by_order_asks_the_server_for_that_order_only()
    {
        var cut = RenderPage();

        cut.Find(".order-filter input").Input("1001");

        cut.WaitForAssertion(() => Assert.Equal(1001, Audit.EntryRequests.Last().OrderId), TimeSpan.FromSeconds(3));
        cut.WaitForAssertion(() => Assert.Equal("2", cut.Find("tr.audit-entry").GetAttribute("data-entry-id")));
        Assert.Single(cut.FindAll("tr.audit-entry"));
        Assert.Null(Audit.EntryRequests.Last().Action);
    }
}
