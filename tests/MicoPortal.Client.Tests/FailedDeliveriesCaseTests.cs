using AngleSharp.Dom;
using MicoPortal.Client.Pages;
using MicoPortal.Client.Tests.Mocks;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Client.Tests;

/// <summary>The failed deliveries list as a work queue: the "waiting on a person" filter, and settling or noting a row without leaving it.</summary>
public class FailedDeliveriesCaseTests : PortalTestContext
{
    public FailedDeliveriesCaseTests()
    {
        Api.Orders.Add(TestData.OrderSummary(201, OrderStatus.Failed, reasonCode: "ACCOUNT_INVALID"));
        Api.Orders.Add(TestData.OrderSummary(202, OrderStatus.Unknown, stuck: true));
        Api.Orders.Add(TestData.OrderSummary(203, OrderStatus.Delivered, disputed: true));
    }

    private IRenderedComponent<TestHost> RenderPage(int rows = 3)
    {
        var cut = RenderInHost<FailedDeliveries>();
        cut.WaitForAssertion(() => Assert.Equal(rows, cut.FindAll(".order-status").Count));
        return cut;
    }

    private static IElement Row(IRenderedComponent<TestHost> cut, long id) =>
        cut.FindAll("tbody tr").Single(r => r.QuerySelector($".order-status[data-order-id='{id}']") is not null);

    private static List<long> Shown(IRenderedComponent<TestHost> cut) =>
        [.. cut.FindAll(".order-status").Select(e => long.Parse(e.GetAttribute("data-order-id")!))];

    [Fact]
    public void Waiting_on_a_person_asks_the_server_for_stuck_or_disputed_orders_only()
    {
        var cut = RenderPage();
        Assert.True(Api.OrderQueries.Last().Attention);

        cut.Find(".waiting-filter input").Change(true);

        cut.WaitForAssertion(() => Assert.Equal([202L, 203L], Shown(cut)));
        var query = Api.OrderQueries.Last();
        Assert.True(query.Waiting);
        Assert.Null(query.Attention);
        Assert.Contains("only a person can close", cut.Markup);

        cut.Find(".waiting-filter input").Change(false);
        cut.WaitForAssertion(() => Assert.Equal(3, Shown(cut).Count));
        Assert.True(Api.OrderQueries.Last().Attention);
    }

    [Fact]
    public void Admins_get_resolve_on_resolvable_rows_and_everyone_gets_note()
    {
        var cut = RenderPage();

        Assert.Null(Row(cut, 201).QuerySelector("button.row-resolve")); // Failed and settled by the provider
        Assert.NotNull(Row(cut, 202).QuerySelector("button.row-resolve"));
        Assert.NotNull(Row(cut, 203).QuerySelector("button.row-resolve"));
        Assert.All([201L, 202L, 203L], id => Assert.NotNull(Row(cut, id).QuerySelector("button.row-note")));
    }

    [Fact]
    public void Operations_get_note_but_no_resolve()
    {
        Api.CurrentUser = TestData.Operations;

        var cut = RenderPage();

        Assert.Empty(cut.FindAll("button.row-resolve"));
        Assert.Equal(3, cut.FindAll("button.row-note").Count);
    }

    [Fact]
    public void Resolving_a_row_takes_it_out_of_the_list_without_leaving_the_page()
    {
        var cut = RenderPage();
        var loads = Api.OrderQueries.Count;

        Row(cut, 202).QuerySelector("button.row-resolve")!.Click();
        cut.WaitForAssertion(() => Assert.Contains("Resolve order #202", cut.Find(".mud-dialog").TextContent));
        cut.Find(".resolve-outcome .outcome-delivered input").Click();
        cut.Find(".resolve-reason textarea").Input("provider support confirmed delivery");
        cut.WaitForAssertion(() => Assert.False(cut.Find("button.resolve-submit").HasAttribute("disabled")));
        cut.Find("button.resolve-submit").Click();

        cut.WaitForAssertion(() => Assert.Equal([201L, 203L], Shown(cut)));
        Assert.Equal(202, Assert.Single(Api.ResolveCalls).Id);
        Assert.True(Api.OrderQueries.Count > loads);
        Assert.Contains("Order 202 resolved as Delivered.", cut.Markup);
        Assert.Empty(cut.FindAll(".resolve-order-dialog"));
    }

    [Fact]
    public void A_push_that_settles_a_row_elsewhere_takes_it_out_live()
    {
        var cut = RenderPage();

        // Another admin resolved 203 as Delivered: the server no longer lists it, and the hub says so.
        Api.Orders.RemoveAll(o => o.Id == 203);
        Hub.PushOrdersChanged(new OrderChange(203, "shop-203", OrderStatus.Delivered, false, false, TestData.Now));

        cut.WaitForAssertion(() => Assert.Equal([201L, 202L], Shown(cut)));
    }

    [Fact]
    public void A_push_that_keeps_a_row_in_the_list_does_not_reload()
    {
        var cut = RenderPage();
        var loads = Api.OrderQueries.Count;

        Hub.PushOrdersChanged(new OrderChange(202, "shop-202", OrderStatus.Unknown, true, true, TestData.Now));

        cut.WaitForAssertion(() => Assert.NotNull(Row(cut, 202).QuerySelector("[data-flag='disputed']")));
        Assert.Equal(loads, Api.OrderQueries.Count);
    }

    [Fact]
    public void A_note_from_the_list_is_sent_for_that_row_and_the_list_stays()
    {
        var cut = RenderPage();

        Row(cut, 201).QuerySelector("button.row-note")!.Click();
        cut.WaitForAssertion(() => Assert.Contains("Note on order #201", cut.Find(".mud-dialog").TextContent));
        cut.Find(".add-note-dialog .note-text textarea").Input("customer asked twice");
        cut.Find(".add-note-dialog button.note-add").Click();

        cut.WaitForAssertion(() => Assert.Equal((201L, "customer asked twice"), Assert.Single(Api.NoteCalls)));
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".add-note-dialog")));
        Assert.Contains("Note added to order 201.", cut.Markup);
        Assert.Equal(3, Shown(cut).Count);
        Assert.Empty(cut.FindAll("tbody input[type=checkbox]:checked"));
    }
}
