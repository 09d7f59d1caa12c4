using AngleSharp.Dom;
using MicoPortal.Client.Pages;
using MicoPortal.Client.Tests.Mocks;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Client.Tests;

public class FailedDeliveriesTests : PortalTestContext
{
    public FailedDeliveriesTests()
    {
        Api.Orders.Add(TestData.OrderSummary(101, OrderStatus.Failed, reasonCode: "ACCOUNT_INVALID", reasonMessage: "The MICO account does not exist"));
        Api.Orders.Add(TestData.OrderSummary(102, OrderStatus.Failed, reasonCode: "OUT_OF_STOCK", reasonMessage: "Provider has no stock"));
        Api.Orders.Add(TestData.OrderSummary(103, OrderStatus.Submitted, stuck: true));
    }

    private IRenderedComponent<TestHost> RenderPage()
    {
        var cut = RenderInHost<FailedDeliveries>();
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll(".order-status").Count));
        return cut;
    }

    private static void Select(IRenderedComponent<TestHost> cut, long id)
    {
        var row = cut.FindAll("tbody tr").Single(r => r.QuerySelector($".order-status[data-order-id='{id}']") is not null);
        row.QuerySelector("input[type=checkbox]")!.Change(true);
    }

    private static IElement Button(IRenderedComponent<TestHost> cut, string cssClass) => cut.Find($"button.{cssClass}");

    private static void Confirm(IRenderedComponent<TestHost> cut, string yesText)
    {
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll(".mud-dialog button")));
        cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == yesText).Click();
    }

    [Fact]
    public void Lists_orders_needing_attention_with_reasons()
    {
        var cut = RenderPage();

        var query = Assert.Single(Api.OrderQueries);
        Assert.True(query.Attention);
        var grid = cut.Find(".failed-grid").TextContent;
        Assert.Contains("ACCOUNT_INVALID", grid);
        Assert.Contains("The MICO account does not exist", grid);
        Assert.Contains("Not final after the SLA", grid);
    }

    [Fact]
    public void Bulk_reverify_sends_the_selected_ids_after_confirmation()
    {
        var cut = RenderPage();
        Assert.True(Button(cut, "bulk-reverify").HasAttribute("disabled"));

        Select(cut, 101);
        Select(cut, 103);
        cut.WaitForAssertion(() => Assert.Equal("2 selected", cut.Find(".selection-count").TextContent.Trim()));
        Button(cut, "bulk-reverify").Click();
        Confirm(cut, "Re-verify");

        cut.WaitForAssertion(() => Assert.Equal([101L, 103L], Assert.Single(Api.ReverifyManyCalls)));
        cut.WaitForAssertion(() => Assert.Contains("2 order(s) queued for re-verification.", cut.Markup));
        Assert.Empty(Api.RetryCalls);
    }

    [Fact]
    public void Retry_is_disabled_when_a_selected_order_is_not_failed()
    {
        var cut = RenderPage();
        Assert.True(Button(cut, "bulk-retry").HasAttribute("disabled"));

        Select(cut, 101);
        cut.WaitForAssertion(() => Assert.False(Button(cut, "bulk-retry").HasAttribute("disabled")));

        Select(cut, 103); // Submitted and stuck: retry is not allowed
        cut.WaitForAssertion(() => Assert.True(Button(cut, "bulk-retry").HasAttribute("disabled")));
        Assert.False(Button(cut, "bulk-reverify").HasAttribute("disabled"));
    }

    [Fact]
    public void Bulk_retry_calls_retry_delivery_for_each_selected_failed_order()
    {
        Api.RetryResult = id => id == 102
            ? new Services.PortalActionResult(false, "Order is not Failed", 409, "INVALID_STATE")
            : new Services.PortalActionResult(true, "ok", 202);
        var cut = RenderPage();

        Select(cut, 101);
        Select(cut, 102);
        cut.WaitForAssertion(() => Assert.False(Button(cut, "bulk-retry").HasAttribute("disabled")));
        Button(cut, "bulk-retry").Click();
        Confirm(cut, "Retry delivery");

        cut.WaitForAssertion(() => Assert.Equal([101L, 102L], Api.RetryCalls));
        cut.WaitForAssertion(() => Assert.Contains("1 order(s) queued for a new delivery attempt.", cut.Markup));
        Assert.Contains("#102: Order is not Failed", cut.Markup);
        Assert.Empty(Api.ReverifyManyCalls);
    }

    [Fact]
    public void Cancelling_the_confirmation_calls_nothing()
    {
        var cut = RenderPage();
        Select(cut, 101);
        cut.WaitForAssertion(() => Assert.False(Button(cut, "bulk-reverify").HasAttribute("disabled")));

        Button(cut, "bulk-reverify").Click();
        Confirm(cut, "Cancel");

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".mud-dialog")));
        Assert.Empty(Api.ReverifyManyCalls);
    }

    [Fact]
    public void An_operations_user_gets_no_selection_or_bulk_actions()
    {
        Api.CurrentUser = TestData.Operations;

        var cut = RenderPage();

        Assert.Empty(cut.FindAll("button.bulk-reverify"));
        Assert.Empty(cut.FindAll("button.bulk-retry"));
        Assert.Empty(cut.FindAll("tbody input[type=checkbox]"));
    }

    [Fact]
    public void Nothing_needing_attention_shows_the_empty_state()
    {
        Api.Orders.Clear();

        var cut = RenderInHost<FailedDeliveries>();

        cut.WaitForAssertion(() => Assert.Contains("Nothing needs attention", cut.Markup));
    }

    [Fact]
    public void A_failed_load_shows_an_error()
    {
        Api.OrdersError = new Services.PortalApiException("The portal answered 500 Internal Server Error.", 500);

        var cut = RenderInHost<FailedDeliveries>();

        cut.WaitForAssertion(() => Assert.Contains("500 Internal Server Error", cut.Find(".load-error").TextContent));
        Assert.DoesNotContain("Nothing needs attention", cut.Markup);
    }
}
