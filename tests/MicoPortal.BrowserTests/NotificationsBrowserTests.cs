using System.Globalization;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace MicoPortal.BrowserTests;

/// <summary>A customer's SMS, from the order through the outbox to the sandbox inbox, on the admin page.</summary>
[Collection(BrowserCollection.Name)]
public sealed class NotificationsBrowserTests(BrowserFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private readonly IDisposable _serverLog = fixture.ServerLog.Attach(output);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _serverLog.Dispose();
        await fixture.CloseContextsAsync();
    }

    [Fact]
    public async Task A_delivered_order_s_sms_is_sent_and_shows_in_the_outbox_and_the_sandbox_inbox()
    {
        // A UK drama number, unlike the demo traffic's +9715... ones; random so a rerun on the same data never matches an old message.
        var phone = "+4477009" + Random.Shared.Next(10_000, 100_000).ToString(CultureInfo.InvariantCulture);
        var response = await fixture.Portal.ShopClient().PostAsJsonAsync("/api/v1/orders",
            PortalClient.NewOrder(micoUserId: "55512310") with { CustomerPhone = phone }); // ends in 10: the sandbox delivers it
        response.EnsureSuccessStatusCode();
        var order = await response.ReadAsync<OrderDto>();
        var orderId = order.Id.ToString(CultureInfo.InvariantCulture);

        var page = await fixture.SignedInPageAsync(PortalClient.Admin);
        await page.GotoAsync("/admin/notifications");
        await page.Locator("tr.notification").First.WaitForAsync(new() { Timeout = 60_000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "admin-notifications.png"), FullPage = true });

        // The page loads on demand: filter by the order, and reload until the sender has handed the SMS over.
        var row = page.Locator("tr.notification").Filter(new()
        {
            Has = page.Locator(".order-link", new() { HasTextRegex = new Regex($"^#{orderId}$") }),
        });
        var sent = await PortalClient.EventuallyAsync(async () =>
        {
            await page.GotoAsync("/admin/notifications");
            await page.Locator(".order-filter input").FillAsync(orderId);
            try
            {
                await Assertions.Expect(row).ToHaveAttributeAsync("data-status", "Sent", new() { Timeout = 5_000 });
                return true;
            }
            catch (PlaywrightException)
            {
                return false;
            }
        }, Patience);

        Assert.True(sent, $"the SMS for order {orderId} should be Sent; last seen: {(await row.CountAsync() > 0 ? await row.GetAttributeAsync("data-status") : "no row")}");
        await Assertions.Expect(page.Locator("tr.notification")).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToContainTextAsync(phone);
        await Assertions.Expect(row).ToContainTextAsync("Delivered");
        await Assertions.Expect(row.Locator(".notification-status")).ToHaveTextAsync("Sent");
        var text = (await row.Locator(".notification-text").InnerTextAsync()).Trim();
        Assert.NotEmpty(text);

        await page.Locator(".mud-tab", new() { HasText = "Sandbox inbox" }).ClickAsync();
        await page.Locator(".inbox-to-filter input").FillAsync(phone);
        var sms = page.Locator("tr.sandbox-sms", new() { HasText = phone });
        await Assertions.Expect(sms).ToBeVisibleAsync(new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator("tr.sandbox-sms")).ToHaveCountAsync(1);
        await Assertions.Expect(sms).ToContainTextAsync(text);
        output.WriteLine($"order {orderId}: '{text}' to {phone}");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "admin-notifications-inbox.png"), FullPage = true });
    }
}
