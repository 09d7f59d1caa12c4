using System.Reflection;
using MicoPortal.Client.Pages;
using MicoPortal.Client.Pages.Admin;
using MicoPortal.Client.Tests.Mocks;
using MicoPortal.Shared.Auth;
using MicoPortal.Shared.Orders;
using MicoPortal.Shared.Webhooks;
using Microsoft.AspNetCore.Authorization;
using MudBlazor;

namespace MicoPortal.Client.Tests;

/// <summary>The Admin's webhooks page, and the webhook section of an order.</summary>
public class WebhooksPageTests : PortalTestContext
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(3);

    public WebhooksPageTests()
    {
        Webhooks.Endpoints.Add(new ShopWebhookDto("coins-store", "https://coins.example/hooks", TestData.Now.AddDays(-1), "lead@micoportal.local", 2, 1, false, null));
        Webhooks.Endpoints.Add(new ShopWebhookDto("gems-shop", "https://gems.example/in", TestData.Now.AddDays(-2), "lead@micoportal.local", 0, 3, true, TestData.Now.AddMinutes(5)));
        Webhooks.Deliveries.Add(FakeWebhooksApi.Delivery(1, "coins-store", 41));
        Webhooks.Deliveries.Add(FakeWebhooksApi.Delivery(2, "coins-store", 42, WebhookDeliveryState.Failed, attempts: 14, lastStatus: 500, lastError: "HTTP 500 from the shop"));
        Webhooks.Deliveries.Add(FakeWebhooksApi.Delivery(3, "gems-shop", 43, WebhookDeliveryState.Failed, attempts: 14, lastStatus: null, lastError: "connection refused"));
        Webhooks.Deliveries.Add(FakeWebhooksApi.Delivery(4, "gems-shop", 42, WebhookDeliveryState.Pending, attempts: 2, lastStatus: 503));
    }

    private IRenderedComponent<TestHost> RenderPage()
    {
        var cut = RenderInHost<Webhooks>();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tr.webhook-endpoint").Count));
        cut.WaitForAssertion(() => Assert.Equal(4, cut.FindAll("tr.webhook-delivery").Count));
        return cut;
    }

    private static AngleSharp.Dom.IElement Endpoint(IRenderedComponent<TestHost> cut, string shop) => cut.Find($"tr.webhook-endpoint[data-shop='{shop}']");

    private static AngleSharp.Dom.IElement Delivery(IRenderedComponent<TestHost> cut, long id) => cut.Find($"tr.webhook-delivery[data-delivery-id='{id}']");

    private static List<long> Shown(IRenderedComponent<TestHost> cut) =>
        [.. cut.FindAll("tr.webhook-delivery").Select(r => long.Parse(r.GetAttribute("data-delivery-id")!))];

    private static void Confirm(IRenderedComponent<TestHost> cut, string yesText)
    {
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll(".mud-dialog button")));
        cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == yesText).Click();
    }

    private static void Choose<T>(IRenderedComponent<TestHost> cut, string item)
    {
        cut.FindComponent<MudSelect<T>>().Find("div.mud-input-control").MouseDown();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll(".mud-popover-open .mud-list-item")));
        cut.FindAll(".mud-popover-open .mud-list-item").Single(i => i.TextContent.Trim() == item).Click();
    }

    [Fact]
    public void The_page_is_for_admins_only()
    {
        var authorize = typeof(Webhooks).GetCustomAttribute<AuthorizeAttribute>();
        Assert.Equal(Roles.Admin, authorize?.Roles);
    }

    [Fact]
    public void Endpoints_show_their_url_counts_and_circuit()
    {
        var cut = RenderPage();

        var coins = Endpoint(cut, "coins-store");
        Assert.Contains("https://coins.example/hooks", coins.TextContent);
        Assert.Equal("2", coins.QuerySelector(".endpoint-pending")!.TextContent.Trim());
        Assert.Equal("1", coins.QuerySelector(".endpoint-failed")!.TextContent.Trim());
        Assert.NotNull(coins.QuerySelector(".circuit-closed"));
        var gems = Endpoint(cut, "gems-shop");
        Assert.Equal("3", gems.QuerySelector(".endpoint-failed")!.TextContent.Trim());
        Assert.StartsWith("Open", gems.QuerySelector(".circuit-open")!.TextContent.Trim());
    }

    [Fact]
    public void Setting_an_endpoint_shows_its_secret_once_with_a_copy_button()
    {
        var cut = RenderPage();
        Assert.True(cut.Find("button.set-endpoint").HasAttribute("disabled"));

        cut.Find(".endpoint-shop input").Input(" toys-shop ");
        cut.Find(".endpoint-url input").Input("https://toys.example/webhooks");
        cut.WaitForAssertion(() => Assert.False(cut.Find("button.set-endpoint").HasAttribute("disabled")));
        cut.Find("button.set-endpoint").Click();

        cut.WaitForAssertion(() => Assert.Equal("whsec_test_1", cut.Find(".webhook-secret-dialog .webhook-secret-value").TextContent.Trim()));
        Assert.Equal(("toys-shop", "https://toys.example/webhooks"), Assert.Single(Webhooks.SetCalls));
        Assert.Contains("not shown again", cut.Find(".secret-warning").TextContent);
        cut.Find(".webhook-secret-dialog button.copy-secret").Click();
        Assert.Contains(JSInterop.Invocations, i => i.Identifier == "navigator.clipboard.writeText" && (string?)i.Arguments[0] == "whsec_test_1");
        Assert.Single(cut.FindAll("tr.webhook-endpoint[data-shop='toys-shop']"));

        cut.Find(".webhook-secret-dialog button.secret-done").Click();
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".webhook-secret-dialog")));
        Assert.DoesNotContain("whsec_test_1", cut.Markup);
    }

    [Fact]
    public void Rotating_sets_the_same_url_again_after_confirmation_and_shows_the_new_secret()
    {
        var cut = RenderPage();

        Endpoint(cut, "gems-shop").QuerySelector("button.rotate-secret")!.Click();
        Confirm(cut, "Rotate");

        cut.WaitForAssertion(() => Assert.Equal("whsec_test_1", cut.Find(".webhook-secret-value").TextContent.Trim()));
        Assert.Equal(("gems-shop", "https://gems.example/in"), Assert.Single(Webhooks.SetCalls));
    }

    [Fact]
    public void Deleting_an_endpoint_asks_first()
    {
        var cut = RenderPage();

        Endpoint(cut, "coins-store").QuerySelector("button.delete-endpoint")!.Click();
        Confirm(cut, "Cancel");
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".mud-dialog")));
        Assert.Empty(Webhooks.DeleteCalls);

        Endpoint(cut, "coins-store").QuerySelector("button.delete-endpoint")!.Click();
        Confirm(cut, "Delete");

        cut.WaitForAssertion(() => Assert.Equal(["coins-store"], Webhooks.DeleteCalls));
        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll("tr.webhook-endpoint[data-shop='coins-store']")));
    }

    [Fact]
    public void Deliveries_show_state_tries_and_last_answer()
    {
        var cut = RenderPage();

        Assert.Equal([4L, 3L, 2L, 1L], Shown(cut));
        var failed = Delivery(cut, 2);
        Assert.Equal("failed", failed.QuerySelector(".webhook-state")!.GetAttribute("data-state"));
        Assert.Equal("14", failed.QuerySelector(".delivery-attempts")!.TextContent.Trim());
        Assert.Equal("500", failed.QuerySelector(".delivery-last-status")!.TextContent.Trim());
        Assert.Equal("HTTP 500 from the shop", failed.QuerySelector(".delivery-last-error")!.TextContent.Trim());
        Assert.Equal("—", Delivery(cut, 3).QuerySelector(".delivery-last-status")!.TextContent.Trim());
    }

    [Fact]
    public void Filters_ask_the_server_for_the_shop_state_and_order()
    {
        var cut = RenderPage();

        Choose<WebhookDeliveryState?>(cut, "failed");
        cut.WaitForAssertion(() => Assert.Equal([3L, 2L], Shown(cut)));
        Assert.Equal(WebhookDeliveryState.Failed, Webhooks.Queries.Last().State);

        Choose<string>(cut, "gems-shop");
        cut.WaitForAssertion(() => Assert.Equal([3L], Shown(cut)));
        Assert.Equal("gems-shop", Webhooks.Queries.Last().Shop);

        cut.FindComponent<MudSelect<WebhookDeliveryState?>>().Find("button.mud-input-clear-button").Click();
        cut.WaitForAssertion(() => Assert.Equal([4L, 3L], Shown(cut)));
        cut.Find(".order-filter input").Input("42");
        cut.WaitForAssertion(() => Assert.Equal([4L], Shown(cut)), Patience);
        Assert.Equal(new Services.WebhookDeliveryQuery("gems-shop", 42, null, 1, 25), Webhooks.Queries.Last());
    }

    [Fact]
    public void Many_deliveries_are_paged()
    {
        for (var id = 5; id <= 30; id++)
        {
            Webhooks.Deliveries.Add(FakeWebhooksApi.Delivery(id));
        }

        var cut = RenderInHost<Webhooks>();
        cut.WaitForAssertion(() => Assert.Equal(25, cut.FindAll("tr.webhook-delivery").Count));
        Assert.Equal("30 deliveries", cut.Find(".deliveries-total").TextContent.Trim());

        cut.FindAll(".deliveries-pages button").Single(b => b.TextContent.Trim() == "2").Click();

        cut.WaitForAssertion(() => Assert.Equal([5L, 4L, 3L, 2L, 1L], Shown(cut)));
        Assert.Equal(2, Webhooks.Queries.Last().Page);
    }

    [Fact]
    public void Resend_queues_one_delivery_and_shows_it_pending()
    {
        var cut = RenderPage();
        var endpointLoads = Webhooks.EndpointLoads;

        Delivery(cut, 2).QuerySelector("button.delivery-resend")!.Click();

        cut.WaitForAssertion(() => Assert.Equal([2L], Webhooks.ResendCalls));
        cut.WaitForAssertion(() => Assert.Equal("pending", Delivery(cut, 2).QuerySelector(".webhook-state")!.GetAttribute("data-state")));
        Assert.Contains("Delivery 2 queued to be sent again.", cut.Markup);
        Assert.True(Webhooks.EndpointLoads > endpointLoads); // the endpoints' counts follow
    }

    [Fact]
    public void Resend_all_failed_needs_a_shop_and_resends_only_that_shops_failed_deliveries()
    {
        var cut = RenderPage();
        Assert.True(cut.Find("button.resend-failed").HasAttribute("disabled"));

        Choose<string>(cut, "coins-store");
        cut.WaitForAssertion(() => Assert.False(cut.Find("button.resend-failed").HasAttribute("disabled")));
        cut.Find("button.resend-failed").Click();
        Confirm(cut, "Resend");

        cut.WaitForAssertion(() => Assert.Equal(["coins-store"], Webhooks.ResendFailedCalls));
        cut.WaitForAssertion(() => Assert.Contains("1 failed deliveries of coins-store queued to be sent again.", cut.Markup));
        cut.WaitForAssertion(() => Assert.Equal("pending", Delivery(cut, 2).QuerySelector(".webhook-state")!.GetAttribute("data-state")));
        Assert.Equal(WebhookDeliveryState.Failed, Webhooks.Deliveries.Single(d => d.Id == 3).State); // another shop's
    }

    [Fact]
    public void Details_show_every_try_and_the_body_sent()
    {
        Webhooks.Details[2] = new WebhookDeliveryDetailDto(Webhooks.Deliveries.Single(d => d.Id == 2),
            [
                new WebhookAttemptDto(TestData.Now.AddMinutes(-30), 500, 120, "HTTP 500 from the shop"),
                new WebhookAttemptDto(TestData.Now.AddMinutes(-29), null, 10000, "timed out after 10 s"),
            ],
            """{"eventId":"evt-2","type":"order.delivered","order":{"id":42}}""");
        var cut = RenderPage();

        Delivery(cut, 2).QuerySelector("button.delivery-details")!.Click();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".webhook-delivery-dialog tr.webhook-attempt").Count));
        var attempts = cut.FindAll(".webhook-delivery-dialog tr.webhook-attempt");
        Assert.Equal("500", attempts[0].QuerySelector(".webhook-attempt-status")!.TextContent.Trim());
        Assert.Equal("120 ms", attempts[0].QuerySelector(".webhook-attempt-latency")!.TextContent.Trim());
        Assert.Equal("—", attempts[1].QuerySelector(".webhook-attempt-status")!.TextContent.Trim());
        Assert.Equal("timed out after 10 s", attempts[1].QuerySelector(".webhook-attempt-error")!.TextContent.Trim());
        var payload = cut.Find(".webhook-payload").TextContent;
        Assert.Contains("\"eventId\": \"evt-2\"", payload);
        Assert.Contains("\"id\": 42", payload);
    }

    [Fact]
    public void Without_the_development_receiver_there_is_no_panel()
    {
        var cut = RenderPage();

        Assert.Empty(cut.FindAll(".webhook-sandbox"));
    }

    [Fact]
    public void The_development_receiver_shows_what_it_took()
    {
        Webhooks.SandboxInbox = [new SandboxWebhookDto("evt-1", "coins-store", WebhookEventTypes.OrderDelivered, 41, true, TestData.Now, 2)];
        var withInbox = RenderInHost<Webhooks>();

        withInbox.WaitForAssertion(() => Assert.Single(withInbox.FindAll("tr.sandbox-webhook")));
        Assert.Equal("valid", withInbox.Find(".sandbox-signature").TextContent.Trim());
        Assert.NotNull(withInbox.Find("tr.sandbox-webhook .repeated"));
    }

    [Fact]
    public void A_failed_load_shows_an_error_per_section()
    {
        Webhooks.EndpointsError = new Services.PortalApiException("Not found.", 404);
        Webhooks.DeliveriesError = new Services.PortalApiException("The portal answered 500 Internal Server Error.", 500);

        var cut = RenderInHost<Webhooks>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".load-error").Count));
        Assert.Contains("500 Internal Server Error", cut.Markup);
    }

    [Fact]
    public void An_admin_sees_the_orders_webhook_deliveries_and_can_resend_one()
    {
        Api.OrderDetails[42] = TestData.Order(42, OrderStatus.Delivered);
        var cut = RenderInHost<OrderDetail>(p => p.Add(d => d.Id, 42));

        cut.WaitForAssertion(() => Assert.Equal([4L, 2L], Shown(cut)));
        Assert.Equal(42, Webhooks.Queries.Last().OrderId);
        Assert.Contains("HTTP 500 from the shop", cut.Find(".order-webhooks").TextContent);

        Delivery(cut, 2).QuerySelector("button.delivery-resend")!.Click();

        cut.WaitForAssertion(() => Assert.Equal([2L], Webhooks.ResendCalls));
        cut.WaitForAssertion(() => Assert.Equal("pending", Delivery(cut, 2).QuerySelector(".webhook-state")!.GetAttribute("data-state")));
    }

    [Fact]
    public void Operations_see_no_webhook_section_on_an_order()
    {
        Api.CurrentUser = TestData.Operations;
        Api.OrderDetails[42] = TestData.Order(42, OrderStatus.Delivered);

        var cut = RenderInHost<OrderDetail>(p => p.Add(d => d.Id, 42));

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll(".attempt")));
        Assert.Empty(cut.FindAll(".order-webhooks"));
        Assert.Empty(Webhooks.Queries);
    }
}
