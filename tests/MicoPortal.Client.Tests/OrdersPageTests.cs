using MicoPortal.Client.Pages;
using MicoPortal.Client.Services;
using MicoPortal.Client.Tests.Mocks;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Client.Tests;

public class OrdersPageTests : PortalTestContext
{
    private static AngleSharp.Dom.IElement StatusCell(IRenderedComponent<TestHost> cut, long id) =>
        cut.Find($".order-status[data-order-id='{id}']");

    [Fact]
    public void Rows_show_orders_with_status_chips()
    {
        Api.Orders.Add(TestData.OrderSummary(1, OrderStatus.Delivered) with { Provider = "alpha" });
        Api.Orders.Add(TestData.OrderSummary(2, OrderStatus.Failed));

        var cut = RenderInHost<Orders>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".order-status").Count));
        Assert.Contains("Provider", cut.Find(".orders-grid thead").TextContent);
        Assert.Contains("alpha", StatusCell(cut, 1).Closest("tr")!.TextContent);
        Assert.DoesNotContain("alpha", StatusCell(cut, 2).Closest("tr")!.TextContent);
        Assert.Equal("Delivered", StatusCell(cut, 1).QuerySelector(".status-chip")!.GetAttribute("data-status"));
        Assert.Equal("Failed", StatusCell(cut, 2).QuerySelector(".status-chip")!.GetAttribute("data-status"));
        Assert.Contains("shop-2", cut.Find(".orders-grid").TextContent);
        var query = Assert.Single(Api.OrderQueries);
        Assert.Equal(1, query.Page);
    }

    [Fact]
    public void A_pushed_change_updates_the_row_on_the_current_page_without_a_reload()
    {
        Api.Orders.Add(TestData.OrderSummary(1, OrderStatus.Submitted));
        Api.Orders.Add(TestData.OrderSummary(2, OrderStatus.Submitted));
        var cut = RenderInHost<Orders>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".order-status").Count));

        Hub.PushOrdersChanged(
            new OrderChange(2, "shop-2", OrderStatus.Failed, true, true, TestData.Now),
            new OrderChange(999, "shop-999", OrderStatus.Delivered, false, false, TestData.Now));

        cut.WaitForAssertion(() =>
            Assert.Equal("Failed", StatusCell(cut, 2).QuerySelector(".status-chip")!.GetAttribute("data-status")));
        Assert.NotNull(StatusCell(cut, 2).QuerySelector("[data-flag='stuck']"));
        Assert.NotNull(StatusCell(cut, 2).QuerySelector("[data-flag='disputed']"));
        Assert.Equal("Submitted", StatusCell(cut, 1).QuerySelector(".status-chip")!.GetAttribute("data-status"));
        Assert.Single(Api.OrderQueries);
    }

    [Fact]
    public void No_matching_orders_shows_the_empty_state()
    {
        var cut = RenderInHost<Orders>();

        cut.WaitForAssertion(() => Assert.Contains("No orders match these filters", cut.Markup));
        Assert.Empty(cut.FindAll(".load-error"));
    }

    [Fact]
    public void A_failed_load_shows_the_error_instead_of_the_empty_state()
    {
        Api.OrdersError = new PortalApiException("Only an Admin may do this.", 403);

        var cut = RenderInHost<Orders>();

        cut.WaitForAssertion(() => Assert.Contains("Only an Admin may do this.", cut.Find(".load-error").TextContent));
        Assert.DoesNotContain("No orders match these filters", cut.Markup);
    }

    [Fact]
    public void The_csv_export_links_to_the_export_endpoint()
    {
        var cut = RenderInHost<Orders>();

        cut.WaitForAssertion(() => Assert.Single(Api.OrderQueries));
        var href = cut.Find("a.export-csv").GetAttribute("href");
        Assert.StartsWith("api/v1/orders/export", href);
    }

    [Fact]
    public void Turning_on_stuck_only_reloads_with_the_filter_and_exports_the_same_filter()
    {
        var cut = RenderInHost<Orders>();
        cut.WaitForAssertion(() => Assert.Single(Api.OrderQueries));

        cut.Find(".stuck-filter input").Change(true);

        cut.WaitForAssertion(() => Assert.Equal(2, Api.OrderQueries.Count));
        Assert.True(Api.OrderQueries[^1].Stuck);
        Assert.Null(Api.OrderQueries[0].Stuck);
        Assert.Contains("stuck=true", cut.Find("a.export-csv").GetAttribute("href"));
    }
}
