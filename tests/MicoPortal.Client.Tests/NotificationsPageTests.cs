using MicoPortal.Client.Pages.Admin;
using MicoPortal.Client.Services;
using MicoPortal.Client.Tests.Mocks;
using MicoPortal.Shared.Notifications;

namespace MicoPortal.Client.Tests;

public class NotificationsPageTests : PortalTestContext
{
    public NotificationsPageTests()
    {
        Notifications.Notifications.Add(new NotificationDto(1, 1001, NotificationChannels.Sms, "+971501234567", "Your 500 MICO coins for account 12345678 have arrived (order shop-1).",
            NotificationStatus.Sent, TestData.Now.AddMinutes(-3), "Delivered", TestData.Now.AddMinutes(-4), 1, "SB0000000001", null));
        Notifications.Notifications.Add(new NotificationDto(2, 1002, NotificationChannels.Sms, "", "We could not deliver 100 MICO coins to account 12345691 (order shop-2). Your shop will retry or refund you.",
            NotificationStatus.Skipped, null, "Failed", TestData.Now.AddMinutes(-2), 0, null, "The shop sent no customerPhone for this order."));
        Notifications.Notifications.Add(new NotificationDto(3, 1003, NotificationChannels.Sms, "+971509999999", "Your 100 MICO coins for account 12345600 have arrived (order shop-3).",
            NotificationStatus.Pending, null, "Delivered", TestData.Now.AddMinutes(-1), 2, null, "sandbox: HttpRequestException: connection refused"));
    }

    [Fact]
    public void The_outbox_lists_notifications_newest_first_with_status_and_why_not_sent()
    {
        var cut = RenderInHost<Notifications>();

        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("tr.notification").Count));
        var rows = cut.FindAll("tr.notification");
        Assert.Equal(["3", "2", "1"], rows.Select(r => r.GetAttribute("data-notification-id")));
        Assert.Equal(["Pending", "Skipped", "Sent"], rows.Select(r => r.QuerySelector(".notification-status")!.TextContent.Trim()));
        Assert.Contains("no customerPhone", rows[1].QuerySelector(".notification-error")!.TextContent);
        Assert.Equal("orders/1001", rows[2].QuerySelector("a.order-link")!.GetAttribute("href"));
        Assert.Contains("3 notifications", cut.Find(".notifications-total").TextContent);
    }

    [Fact]
    public void Filtering_by_order_asks_the_server_for_that_order_only()
    {
        var cut = RenderInHost<Notifications>();
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("tr.notification").Count));

        cut.Find(".order-filter input").Input("1002");

        cut.WaitForAssertion(() => Assert.Equal(1002, Notifications.Requests.Last().OrderId), TimeSpan.FromSeconds(3));
        cut.WaitForAssertion(() => Assert.Equal("2", cut.Find("tr.notification").GetAttribute("data-notification-id")));
        Assert.Single(cut.FindAll("tr.notification"));
    }

    [Fact]
    public void The_sandbox_inbox_shows_received_messages_and_marks_repeated_hand_overs()
    {
        Notifications.Inbox.Add(new SandboxSmsDto("SB0000000002", "+971509999999", "Your 100 MICO coins ...", TestData.Now, 2));
        Notifications.Inbox.Add(new SandboxSmsDto("SB0000000001", "+971501234567", "Your 500 MICO coins ...", TestData.Now.AddMinutes(-3), 1));
        var cut = RenderInHost<Notifications>();
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("tr.notification").Count));

        cut.FindAll(".mud-tab").Single(t => t.TextContent.Contains("Sandbox inbox")).Click();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tr.sandbox-sms").Count));
        Assert.Single(cut.FindAll("tr.sandbox-sms td.repeated"));
        Assert.Contains("2 messages", cut.Find(".inbox-total").TextContent);
    }

    [Fact]
    public void The_sandbox_inbox_can_be_filtered_to_one_phone()
    {
        Notifications.Inbox.Add(new SandboxSmsDto("SB0000000002", "+971509999999", "Your 100 MICO coins ...", TestData.Now, 1));
        Notifications.Inbox.Add(new SandboxSmsDto("SB0000000001", "+971501234567", "Your 500 MICO coins ...", TestData.Now.AddMinutes(-3), 1));
        var cut = RenderInHost<Notifications>();
        cut.WaitForAssertion(() => Assert.Equal(3, cut.FindAll("tr.notification").Count));
        cut.FindAll(".mud-tab").Single(t => t.TextContent.Contains("Sandbox inbox")).Click();
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tr.sandbox-sms").Count));

        cut.Find(".inbox-to-filter input").Input("+971501234567");

        cut.WaitForAssertion(() => Assert.Equal("SB0000000001", cut.Find("tr.sandbox-sms").GetAttribute("data-message-id")), TimeSpan.FromSeconds(3));
        Assert.Single(cut.FindAll("tr.sandbox-sms"));
        Assert.Equal("1 message", cut.Find(".inbox-total").TextContent.Trim());
    }

    [Fact]
    public void A_load_error_is_shown_with_a_retry()
    {
        Notifications.Error = new PortalApiException("The portal answered 503.", 503);

        var cut = RenderInHost<Notifications>();

        cut.WaitForAssertion(() => Assert.Contains("The portal answered 503.", cut.Find(".load-error").TextContent));
    }
}
