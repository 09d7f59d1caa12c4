using System.Diagnostics;
using System.Net.Http.Json;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace MicoPortal.BrowserTests;

/// <summary>The dashboard in a real browser against the real server, with demo orders flowing.</summary>
[Collection(BrowserCollection.Name)]
public sealed class DashboardBrowserTests(BrowserFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly IDisposable _serverLog = fixture.ServerLog.Attach(output);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _serverLog.Dispose();
        await fixture.CloseContextsAsync();
    }

    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private async Task<long> WaitForOrderAsync(OrderStatus status)
    {
        long id = 0;
        Assert.True(await PortalClient.EventuallyAsync(async () =>
        {
            id = await fixture.Portal.WithDbAsync(db => db.Orders.Where(o => o.Status == status && o.AttemptNo == 1).OrderByDescending(o => o.Id).Select(o => o.Id).FirstOrDefaultAsync());
            return id != 0;
        }, Patience), $"demo traffic should produce a {status} order");
        return id;
    }

    private static async Task<string> KpiAsync(IPage page, string key)
    {
        var value = page.Locator($"[data-kpi='{key}'] .kpi-value");
        await value.WaitForAsync(new() { Timeout = 60_000 });
        return (await value.InnerTextAsync()).Trim();
    }

    // A screenshot waits for the renderer's next frame, which on two cores shared with the server and a booting
    // WebAssembly app can take longer than Playwright's default 30 s (seen in CI): a slow frame is not a failure.
    private static Task ShotAsync(IPage page, string name) =>
        page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, name + ".png"), FullPage = true, Timeout = 90_000 });

    [Fact]
    public async Task Overview_kpis_move_as_demo_orders_flow()
    {
        var page = await fixture.SignedInPageAsync(PortalClient.Operations);

        var first = await KpiAsync(page, "delivered");
        // Each look is short and a slow look is just another try: on two busy cores the page can be too slow
        // to answer one look, which says nothing about whether the number moves.
        var moved = await PortalClient.EventuallyAsync(async () =>
        {
            try
            {
                var now = await page.Locator("[data-kpi='delivered'] .kpi-value").InnerTextAsync(new() { Timeout = 5_000 });
                return now.Trim() != first;
            }
            catch (TimeoutException)
            {
                return false;
            }
        }, Patience);

        output.WriteLine($"delivered KPI went from {first} to {await KpiAsync(page, "delivered")}");
        Assert.True(moved, "the delivered count should change while demo orders are delivered");
        Assert.EndsWith("%", await KpiAsync(page, "success-rate"));
        await Assertions.Expect(page.Locator(".live-feed-item").First).ToBeVisibleAsync(new() { Timeout = 30_000 });
    }

    [Fact]
    public async Task A_new_order_appears_in_the_live_feed()
    {
        var page = await fixture.SignedInPageAsync(PortalClient.Operations);
        await page.Locator(".live-feed-item").First.WaitForAsync(new() { Timeout = 30_000 });
        // Demo traffic keeps the feed moving: an order's row can be rendered and pushed out of view between two
        // looks. The page itself notes every feed row it ever renders, so an arrival is never missed.
        await page.EvaluateAsync("""
            () => {
                window.feedSeen = new Set();
                const note = el => { if (el.classList?.contains('live-feed-item')) window.feedSeen.add(el.getAttribute('data-order-id')); };
                new MutationObserver(mutations => {
                    for (const m of mutations) {
                        if (m.type === 'attributes') note(m.target);
                        for (const n of m.addedNodes) { if (n.nodeType === 1) { note(n); n.querySelectorAll('.live-feed-item').forEach(note); } }
                    }
                }).observe(document.body, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-order-id'] });
            }
            """);

        var samples = new List<double>();
        for (var i = 0; i < 5; i++)
        {
            var clock = Stopwatch.StartNew();
            var response = await fixture.Portal.ShopClient().PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder());
            var order = await response.ReadAsync<OrderDto>();
            await page.WaitForFunctionAsync("id => window.feedSeen.has(String(id))", order.Id, new() { Timeout = 30_000, PollingInterval = 20 });
            samples.Add(clock.Elapsed.TotalMilliseconds);
        }

        samples.Sort();
        // Reported, not asserted: the time is a benchmark figure (BENCHMARKS.md, freshness); here each arrival is what counts.
        output.WriteLine($"order accepted -> shown in the browser: median {samples[2]:0} ms, max {samples[^1]:0} ms ({string.Join(", ", samples.Select(s => s.ToString("0")))})");
    }

    [Fact]
    public async Task An_admin_retries_a_failed_order_from_its_page()
    {
        var failedId = await WaitForOrderAsync(OrderStatus.Failed);
        var page = await fixture.SignedInPageAsync(PortalClient.Admin);

        await page.GotoAsync($"/orders/{failedId}");
        var retry = page.Locator(".retry-button");
        await Assertions.Expect(retry).ToBeEnabledAsync(new() { Timeout = 30_000 });
        await retry.ClickAsync();
        var dialog = page.Locator(".mud-dialog");
        await Assertions.Expect(dialog).ToContainTextAsync("new delivery attempt");
        await ShotAsync(page, "retry-confirmation");
        await dialog.GetByRole(AriaRole.Button, new() { Name = "Retry delivery" }).ClickAsync();
        await Assertions.Expect(page.Locator(".mud-snackbar")).ToContainTextAsync("attempt", new() { Timeout = 30_000 });

        Assert.True(await PortalClient.EventuallyAsync(
            () => fixture.Portal.WithDbAsync(db => db.Orders.AnyAsync(o => o.Id == failedId && o.AttemptNo == 2)), Patience),
            "the retry should create delivery attempt 2");
    }

    [Fact]
    public async Task Operations_users_see_no_retry_controls()
    {
        var failedId = await WaitForOrderAsync(OrderStatus.Failed);
        var page = await fixture.SignedInPageAsync(PortalClient.Operations);

        await page.GotoAsync($"/orders/{failedId}");
        await page.Locator("h1").First.WaitForAsync();
        await Assertions.Expect(page.Locator(".order-status, .mud-chip").First).ToBeVisibleAsync(new() { Timeout = 30_000 });

        Assert.Equal(0, await page.Locator(".retry-button").CountAsync());
    }

    [Fact]
    public async Task Signed_out_visitors_are_sent_to_the_login_page()
    {
        var context = await fixture.NewContextAsync(new() { BaseURL = fixture.Portal.RootUri.ToString() });
        var page = await context.NewPageAsync();

        await page.GotoAsync("/orders");

        Assert.Contains("/login", page.Url, StringComparison.Ordinal);
        await Assertions.Expect(page.Locator("#email")).ToBeVisibleAsync();
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Screenshots_of_every_page(bool dark)
    {
        var mode = dark ? "dark" : "light";
        var deliveredId = await WaitForOrderAsync(OrderStatus.Delivered);
        await WaitForOrderAsync(OrderStatus.Failed);
        var page = await fixture.SignedInPageAsync(PortalClient.Admin, dark);

        await KpiAsync(page, "delivered");
        await page.WaitForTimeoutAsync(2500); // let the chart and the live feed fill
        await ShotAsync(page, $"overview-{mode}");

        await page.GotoAsync("/orders");
        await page.Locator(".mud-table-body .mud-table-row").First.WaitForAsync(new() { Timeout = 30_000 });
        await ShotAsync(page, $"orders-{mode}");

        await page.GotoAsync($"/orders/{deliveredId}");
        await page.Locator(".mud-timeline").First.WaitForAsync(new() { Timeout = 30_000 });
        await ShotAsync(page, $"order-detail-{mode}");

        await page.GotoAsync("/failed");
        await page.Locator(".failed-grid .mud-table-body .mud-table-row").First.WaitForAsync(new() { Timeout = 30_000 });
        await ShotAsync(page, $"failed-deliveries-{mode}");

        var phone = await fixture.SignedInPageAsync(PortalClient.Admin, dark, width: 390, height: 844);
        await KpiAsync(phone, "delivered");
        await ShotAsync(phone, $"overview-phone-{mode}");

        await page.GotoAsync("/login");
        await ShotAsync(page, $"login-{mode}");
        Assert.True(File.Exists(Path.Combine(BrowserFixture.ScreenshotDirectory, $"failed-deliveries-{mode}.png")));
    }
}
