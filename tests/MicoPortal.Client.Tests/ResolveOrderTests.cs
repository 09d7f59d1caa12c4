using MicoPortal.Client.Pages;
using MicoPortal.Client.Services;
using MicoPortal.Client.Tests.Mocks;
using MicoPortal.Shared.Orders;
using Microsoft.AspNetCore.Components.Forms;

namespace MicoPortal.Client.Tests;

/// <summary>Settling an order by hand from its page: who may, when, what the dialog asks, and what the page shows after.</summary>
public class ResolveOrderTests : PortalTestContext
{
    private static OrderDto Order(long id, OrderStatus status, bool stuck = false, bool disputed = false) =>
        TestData.Order(id, status) with { Stuck = stuck, Disputed = disputed };

    private IRenderedComponent<TestHost> RenderOrder(OrderDto order)
    {
        Api.OrderDetails[order.Id] = order;
        var cut = RenderInHost<OrderDetail>(p => p.Add(d => d.Id, order.Id));
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll(".attempt")));
        return cut;
    }

    private static void OpenDialog(IRenderedComponent<TestHost> cut)
    {
        cut.Find("button.resolve-button").Click();
        cut.WaitForAssertion(() => Assert.NotNull(cut.Find(".resolve-order-dialog")));
    }

    private static void Choose(IRenderedComponent<TestHost> cut, string outcome) =>
        cut.Find($".resolve-outcome .outcome-{outcome.ToLowerInvariant()} input").Click();

    private static bool SubmitDisabled(IRenderedComponent<TestHost> cut) => cut.Find("button.resolve-submit").HasAttribute("disabled");

    public static TheoryData<OrderStatus, bool, bool, bool> Cases => new()
    {
        { OrderStatus.Unknown, false, false, true },
        { OrderStatus.Submitted, true, false, true },
        { OrderStatus.Delivered, false, true, true },
        { OrderStatus.Delivered, false, false, false },
        { OrderStatus.Failed, false, false, false },
        { OrderStatus.Received, false, false, false },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Admins_get_resolve_only_for_unknown_stuck_or_disputed_orders(OrderStatus status, bool stuck, bool disputed, bool offered)
    {
        var cut = RenderOrder(Order(42, status, stuck, disputed));

        Assert.Equal(offered ? 1 : 0, cut.FindAll("button.resolve-button").Count);
    }

    [Fact]
    public void Operations_never_get_resolve()
    {
        Api.CurrentUser = TestData.Operations;

        var cut = RenderOrder(Order(42, OrderStatus.Unknown, stuck: true, disputed: true));

        Assert.Empty(cut.FindAll("button.resolve-button"));
    }

    [Fact]
    public void The_dialog_needs_an_outcome_and_a_reason_and_has_no_default_outcome()
    {
        var cut = RenderOrder(Order(42, OrderStatus.Unknown));
        OpenDialog(cut);

        Assert.All(cut.FindAll(".resolve-outcome input"), radio => Assert.False(radio.HasAttribute("checked")));
        Assert.True(SubmitDisabled(cut));

        cut.Find(".resolve-reason textarea").Input("provider support confirmed it, ticket 4711");
        cut.WaitForAssertion(() => Assert.True(SubmitDisabled(cut))); // a reason alone is not enough

        Choose(cut, ResolutionOutcomes.Delivered);
        cut.WaitForAssertion(() => Assert.False(SubmitDisabled(cut)));

        cut.Find(".resolve-reason textarea").Input("   ");
        cut.WaitForAssertion(() => Assert.True(SubmitDisabled(cut))); // nor an outcome without a reason
        Assert.Empty(Api.ResolveCalls);
    }

    [Fact]
    public void Each_outcome_says_what_it_does()
    {
        var cut = RenderOrder(Order(42, OrderStatus.Unknown));
        OpenDialog(cut);

        Choose(cut, ResolutionOutcomes.Delivered);
        cut.WaitForAssertion(() => Assert.Contains("manual confirmation", cut.Find(".outcome-help").TextContent));
        Choose(cut, ResolutionOutcomes.Failed);
        cut.WaitForAssertion(() => Assert.Contains("7 days", cut.Find(".outcome-help").TextContent));
    }

    [Fact]
    public void A_refusal_is_shown_in_the_dialog_which_stays_open()
    {
        Api.ResolveResult = _ => new PortalActionResult<OrderDto>(false,
            "Only Unknown, stuck or disputed orders can be settled by hand.: order is Delivered", null, 409, "INVALID_STATE");
        var cut = RenderOrder(Order(42, OrderStatus.Unknown));
        OpenDialog(cut);

        Choose(cut, ResolutionOutcomes.Failed);
        cut.Find(".resolve-reason textarea").Input("no coins on the account");
        cut.WaitForAssertion(() => Assert.False(SubmitDisabled(cut)));
        cut.Find("button.resolve-submit").Click();

        cut.WaitForAssertion(() => Assert.Contains("can be settled by hand", cut.Find(".resolve-error").TextContent));
        Assert.NotNull(cut.Find(".resolve-order-dialog"));
        Assert.Equal(OrderStatus.Unknown.ToString(), cut.Find(".status-chip").GetAttribute("data-status"));
    }

    [Fact]
    public void Resolving_sends_the_trimmed_fields_closes_and_shows_the_order_as_the_server_answered_it()
    {
        var cut = RenderOrder(Order(42, OrderStatus.Unknown, stuck: true));
        OpenDialog(cut);

        Choose(cut, ResolutionOutcomes.Delivered);
        cut.Find(".resolve-reason textarea").Input("  provider support confirmed delivery  ");
        cut.Find(".resolve-evidence textarea").Input("serial SN-1 in ticket 4711");
        cut.WaitForAssertion(() => Assert.False(SubmitDisabled(cut)));
        cut.Find("button.resolve-submit").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".resolve-order-dialog")));
        var call = Assert.Single(Api.ResolveCalls);
        Assert.Equal((42L, new ResolveOrderRequest("Delivered", "provider support confirmed delivery", "serial SN-1 in ticket 4711"), (string?)null), call);

        cut.WaitForAssertion(() => Assert.Equal("Delivered", cut.Find(".status-chip").GetAttribute("data-status")));
        Assert.Empty(cut.FindAll("[data-flag='stuck']"));
        Assert.Empty(cut.FindAll("button.resolve-button"));
        var resolution = cut.Find(".order-resolution");
        Assert.Equal("Delivered", resolution.GetAttribute("data-outcome"));
        Assert.Contains("admin@micoportal.local", resolution.QuerySelector(".resolution-by")!.TextContent);
        Assert.Contains("provider support confirmed delivery", resolution.QuerySelector(".resolution-reason")!.TextContent);
        Assert.Contains("serial SN-1 in ticket 4711", resolution.QuerySelector(".resolution-evidence")!.TextContent);
        Assert.Equal("true", cut.Find(".confirmation[data-source='manual']").GetAttribute("data-confirmed"));
    }

    [Fact]
    public void An_evidence_file_goes_with_the_resolution_and_a_file_over_5_MB_is_refused_before_sending()
    {
        var cut = RenderOrder(Order(42, OrderStatus.Unknown));
        OpenDialog(cut);
        Choose(cut, ResolutionOutcomes.Failed);
        cut.Find(".resolve-reason textarea").Input("provider says never received");

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromBinary(new byte[5 * 1024 * 1024 + 1], "huge.png"));
        cut.WaitForAssertion(() => Assert.Contains("at most 5 MB", cut.Find(".resolve-error").TextContent));
        Assert.Contains("No file", cut.Find(".resolve-file-name").TextContent);

        cut.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText("ticket 4711: not delivered", "ticket.txt"));
        cut.WaitForAssertion(() => Assert.Contains("ticket.txt", cut.Find(".resolve-file-name").TextContent));
        Assert.Empty(cut.FindAll(".resolve-error"));
        cut.Find("button.resolve-submit").Click();

        cut.WaitForAssertion(() => Assert.Equal("ticket.txt", Assert.Single(Api.ResolveCalls).FileName));
    }

    [Fact]
    public void A_manual_failed_shows_the_late_delivery_watch()
    {
        var cut = RenderOrder(Order(42, OrderStatus.Unknown));
        Assert.Empty(cut.FindAll(".late-delivery-watch"));
        OpenDialog(cut);
        Choose(cut, ResolutionOutcomes.Failed);
        cut.Find(".resolve-reason textarea").Input("provider says never received");
        cut.Find("button.resolve-submit").Click();

        cut.WaitForAssertion(() => Assert.Contains("Watching for a late delivery", cut.Find(".late-delivery-watch").TextContent));
        Assert.Equal("Failed", cut.Find(".order-resolution").GetAttribute("data-outcome"));
        Assert.Empty(cut.FindAll(".confirmation[data-source='manual']"));
    }

    [Fact]
    public void An_admin_can_download_the_evidence_file_and_an_operator_sees_only_its_name()
    {
        var order = Order(42, OrderStatus.Delivered) with
        {
            Resolutions = [new OrderResolutionDto(7, 1, "Delivered", "support ticket", null, "ticket.pdf", 2048, "lead@micoportal.local", TestData.Now)],
        };

        var cut = RenderOrder(order);

        var link = cut.Find("a.resolution-file");
        Assert.Equal("api/v1/orders/42/resolutions/7/file", link.GetAttribute("href"));
        Assert.Equal("ticket.pdf", link.GetAttribute("download"));
        Assert.Contains("ticket.pdf (2 KB)", link.TextContent);
    }

    [Fact]
    public void An_operator_sees_the_evidence_files_name_but_no_link()
    {
        Api.CurrentUser = TestData.Operations;
        var order = Order(42, OrderStatus.Delivered) with
        {
            Resolutions = [new OrderResolutionDto(7, 1, "Delivered", "support ticket", null, "ticket.pdf", 2048, "lead@micoportal.local", TestData.Now)],
        };

        var cut = RenderOrder(order);

        Assert.Contains("ticket.pdf", cut.Find(".resolution-file-name").TextContent);
        Assert.Empty(cut.FindAll("a.resolution-file"));
    }
}
