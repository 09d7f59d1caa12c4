using MicoPortal.Client.Pages;
using MicoPortal.Client.Services;
using MicoPortal.Client.Tests.Mocks;
using MicoPortal.Shared.Notifications;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Client.Tests;

public class OrderDetailTests : PortalTestContext
{
    private IRenderedComponent<TestHost> RenderOrder(long id) => RenderInHost<OrderDetail>(p => p.Add(d => d.Id, id));

    [Fact]
    public void Shows_confirmations_attempt_timeline_and_proof()
    {
        Api.OrderDetails[42] = TestData.Order(42, OrderStatus.Delivered);

        var cut = RenderOrder(42);

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll(".confirmation")));
        Assert.Equal("true", cut.Find(".confirmation[data-source='api']").GetAttribute("data-confirmed"));
        Assert.Equal("true", cut.Find(".confirmation[data-source='callback']").GetAttribute("data-confirmed"));
        Assert.Equal("false", cut.Find(".confirmation[data-source='ledger']").GetAttribute("data-confirmed"));
        Assert.Contains(LocalTime.Format(TestData.Now.AddSeconds(-20)), cut.Find(".confirmation[data-source='api']").TextContent);
        Assert.Contains("Fully confirmed", cut.Find(".confirmation-summary").TextContent);

        var attempts = cut.FindAll(".attempt");
        Assert.Equal(3, attempts.Count);
        // oldest first
        Assert.Equal(["1", "3", "2"], attempts.Select(a => a.GetAttribute("data-attempt-id") ?? "").ToList());
        Assert.Equal("create", attempts[0].QuerySelector(".attempt-kind")!.TextContent.Trim());
        Assert.Equal("201", attempts[0].QuerySelector(".attempt-http")!.TextContent.Trim());
        Assert.Equal("PENDING", attempts[0].QuerySelector(".attempt-provider-status")!.TextContent.Trim());
        Assert.Equal("Submitted", attempts[0].QuerySelector(".attempt-outcome")!.TextContent.Trim());
        Assert.Equal("120 ms", attempts[0].QuerySelector(".attempt-latency")!.TextContent.Trim());
        Assert.Equal("Timed out after 10 s", attempts[1].QuerySelector(".attempt-error")!.TextContent.Trim());

        Assert.Equal("SN-998877", cut.Find(".proof-serial").TextContent.Trim());
        Assert.Equal("1,000", cut.Find(".proof-quantity").TextContent.Trim());
        Assert.Equal(LocalTime.Format(TestData.Now.AddSeconds(-30)), cut.Find(".proof-time").TextContent.Trim());
        Assert.Equal("4.99 USD", cut.Find(".order-amount").TextContent.Trim());
    }

    [Fact]
    public void Admin_actions_in_the_timeline_name_who_asked()
    {
        var order = TestData.Order(43, OrderStatus.Failed);
        Api.OrderDetails[43] = order with
        {
            Attempts = [.. order.Attempts, new AttemptDto(9, 1, "43-1", "Reverify", TestData.Now, null, null, "re-verify requested", 0, null, "admin@micoportal.local")],
        };

        var cut = RenderOrder(43);

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".attempt-actor")));
        Assert.Equal("admin@micoportal.local", cut.Find(".attempt[data-attempt-id='9'] .attempt-actor").TextContent.Trim());
    }

    [Fact]
    public void The_header_names_the_current_provider_and_each_attempt_names_its_own()
    {
        var order = TestData.Order(44, OrderStatus.Delivered);
        Api.OrderDetails[44] = order with
        {
            Provider = "beta",
            Attempts =
            [
                order.Attempts[0] with { Provider = "alpha" },
                order.Attempts[1] with { Provider = "beta" },
                order.Attempts[2], // written before providers were recorded
            ],
        };

        var cut = RenderOrder(44);

        cut.WaitForAssertion(() => Assert.Equal("beta", cut.Find(".order-provider").TextContent.Trim()));
        Assert.Equal("alpha", cut.Find(".attempt[data-attempt-id='1'] .attempt-provider").TextContent.Trim());
        Assert.Equal("beta", cut.Find(".attempt[data-attempt-id='2'] .attempt-provider").TextContent.Trim());
        Assert.Null(cut.Find(".attempt[data-attempt-id='3']").QuerySelector(".attempt-provider"));
    }

    [Fact]
    public void An_order_without_a_provider_shows_no_provider_chip()
    {
        Api.OrderDetails[42] = TestData.Order(42, OrderStatus.Delivered);

        var cut = RenderOrder(42);

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll(".attempt").Count));
        Assert.Empty(cut.FindAll(".order-provider"));
        Assert.Empty(cut.FindAll(".attempt-provider"));
    }

    [Fact]
    public void Retry_is_disabled_for_an_order_that_is_not_failed()
    {
        Api.OrderDetails[42] = TestData.Order(42, OrderStatus.Delivered);

        var cut = RenderOrder(42);

        cut.WaitForAssertion(() => Assert.True(cut.Find("button.retry-button").HasAttribute("disabled")));
        Assert.False(cut.Find("button.reverify-button").HasAttribute("disabled"));
    }

    [Fact]
    public void Retry_is_enabled_for_a_failed_order_and_calls_the_api_after_confirmation()
    {
        Api.OrderDetails[42] = TestData.Order(42, OrderStatus.Failed);
        var cut = RenderOrder(42);
        cut.WaitForAssertion(() => Assert.False(cut.Find("button.retry-button").HasAttribute("disabled")));
        Assert.Contains("ACCOUNT_INVALID", cut.Find(".order-reason").TextContent);
        Assert.Contains("No proof of delivery yet", cut.Markup);

        cut.Find("button.retry-button").Click();
        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll(".mud-dialog button")));
        Assert.Empty(Api.RetryCalls);
        cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Retry delivery").Click();

        cut.WaitForAssertion(() => Assert.Equal([42L], Api.RetryCalls));
        cut.WaitForAssertion(() => Assert.Contains("Order 42 retried.", cut.Markup));
    }

    [Fact]
    public void Reverify_calls_the_api_and_reports_the_result()
    {
        Api.OrderDetails[42] = TestData.Order(42, OrderStatus.Delivered);
        var cut = RenderOrder(42);
        cut.WaitForAssertion(() => cut.Find("button.reverify-button"));

        cut.Find("button.reverify-button").Click();

        cut.WaitForAssertion(() => Assert.Equal([42L], Api.ReverifyCalls));
        cut.WaitForAssertion(() => Assert.Contains("Order 42 queued for re-verification.", cut.Markup));
    }

    [Fact]
    public void An_operations_user_sees_no_admin_controls()
    {
        Api.CurrentUser = TestData.Operations;
        Api.OrderDetails[42] = TestData.Order(42, OrderStatus.Failed);

        var cut = RenderOrder(42);

        cut.WaitForAssertion(() => Assert.NotEmpty(cut.FindAll(".attempt")));
        Assert.Empty(cut.FindAll("button.retry-button"));
        Assert.Empty(cut.FindAll("button.reverify-button"));
        Assert.Empty(cut.FindAll(".order-notifications")); // phone numbers are for admins
        Assert.Empty(Notifications.Requests);
    }

    [Fact]
    public void Admins_see_the_customer_notifications_of_the_order()
    {
        Api.OrderDetails[42] = TestData.Order(42, OrderStatus.Delivered);
        Notifications.Notifications.Add(new NotificationDto(9, 42, NotificationChannels.Sms, "+971501234567", "Your 1,000 MICO coins ... have arrived.",
            NotificationStatus.Sent, TestData.Now, "Delivered", TestData.Now.AddSeconds(-2), 1, "SB0000000009", null));
        Notifications.Notifications.Add(new NotificationDto(8, 41, NotificationChannels.Sms, "+971509999999", "another order", NotificationStatus.Sent, TestData.Now, "Delivered", TestData.Now, 1, null, null));

        var cut = RenderOrder(42);

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".order-notification")));
        var row = cut.Find(".order-notification");
        Assert.Equal("Sent", row.GetAttribute("data-status"));
        Assert.Contains("+971501234567", row.TextContent);
        Assert.Equal(42, Notifications.Requests.Last().OrderId);
    }

    [Fact]
    public void A_push_naming_this_order_reloads_it()
    {
        Api.OrderDetails[42] = TestData.Order(42, OrderStatus.Failed);
        var cut = RenderOrder(42);
        cut.WaitForAssertion(() => Assert.Contains(cut.FindAll(".status-chip"), c => c.GetAttribute("data-status") == "Failed"));

        Api.OrderDetails[42] = TestData.Order(42, OrderStatus.Delivered);
        Hub.PushOrdersChanged(new OrderChange(7, "shop-7", OrderStatus.Delivered, false, false, TestData.Now));
        Assert.Single(Api.OrderRequests);
        Hub.PushOrdersChanged(new OrderChange(42, "shop-42", OrderStatus.Delivered, false, false, TestData.Now));

        cut.WaitForAssertion(() => Assert.Equal("SN-998877", cut.Find(".proof-serial").TextContent.Trim()));
        Assert.Equal(2, Api.OrderRequests.Count);
    }

    [Fact]
    public void An_unknown_order_shows_not_found()
    {
        var cut = RenderOrder(404);

        cut.WaitForAssertion(() => Assert.Contains("Order not found", cut.Markup));
        Assert.Empty(cut.FindAll("button.retry-button"));
    }

    [Fact]
    public void A_failed_load_shows_an_error()
    {
        Api.OrderError = new PortalApiException("The portal could not be reached: connection refused");

        var cut = RenderOrder(42);

        cut.WaitForAssertion(() => Assert.Contains("connection refused", cut.Find(".load-error").TextContent));
    }
}
