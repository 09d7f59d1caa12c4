using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using MicoPortal.Shared.Orders;
using MicoPortal.Shared.Reconciliation;
using MicoPortal.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace MicoPortal.BrowserTests;

/// <summary>
/// Settling a disputed order by hand in a real browser: it waits on a person in the failed list, an Admin resolves
/// it there as Delivered, and it leaves the list without a page reload.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ManualResolutionBrowserTests(BrowserFixture fixture, ITestOutputHelper output) : IAsyncLifetime
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
    public async Task An_admin_resolves_a_disputed_order_from_the_failed_list_and_it_leaves_the_list_live()
    {
        var (admin, _) = await fixture.Portal.SignInAsync(PortalClient.Admin);
        var id = await DisputedOrderAsync(admin);
        output.WriteLine($"order {id} is Failed and disputed");

        var page = await fixture.SignedInPageAsync(PortalClient.Admin);
        await page.GotoAsync("/failed");
        await page.Locator(".waiting-filter input").CheckAsync(new() { Timeout = 30_000 });
        var status = page.Locator($".order-status[data-order-id='{id}']");
        await Assertions.Expect(status).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(status.Locator("[data-flag='disputed']")).ToBeVisibleAsync();
        var row = page.Locator("tr", new() { Has = status });

        await row.Locator("button.row-resolve").ClickAsync();
        var dialog = page.Locator(".resolve-order-dialog");
        await Assertions.Expect(dialog).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(dialog.Locator("button.resolve-submit")).ToBeDisabledAsync();
        await dialog.Locator(".outcome-delivered").ClickAsync();
        await dialog.Locator(".resolve-reason textarea").First.FillAsync("Provider support confirmed the coins arrived (ticket 4711)");
        await dialog.Locator(".resolve-evidence textarea").First.FillAsync("Serial SN-4711 in the provider's reply");
        await Assertions.Expect(dialog.Locator(".outcome-help")).ToContainTextAsync("manual confirmation");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "failed-resolve-dialog.png"), FullPage = true });
        var loadsBefore = await page.EvaluateAsync<int>("performance.getEntriesByType('navigation').length");
        await dialog.Locator("button.resolve-submit").ClickAsync();

        await Assertions.Expect(dialog).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        await Assertions.Expect(status).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        Assert.Equal(loadsBefore, await page.EvaluateAsync<int>("performance.getEntriesByType('navigation').length"));
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "failed-after-resolve.png"), FullPage = true });

        // The server agrees: Delivered, no longer disputed, with the manual confirmation and the person's word.
        var order = await admin.GetFromJsonAsync<OrderDto>($"/api/v1/orders/{id}", PortalClient.Json);
        Assert.Equal(OrderStatus.Delivered, order!.Status);
        Assert.False(order.Disputed);
        Assert.Contains(order.Confirmations, c => c.Source == ConfirmationSource.Manual);
        Assert.Equal("Provider support confirmed the coins arrived (ticket 4711)", Assert.Single(order.Resolutions!).Reason);

        // The order's page tells the story: a note joins the timeline, the resolution and the manual confirmation show.
        await page.GotoAsync($"/orders/{id}");
        await page.Locator(".note-text textarea").First.FillAsync("Customer confirmed on the phone that the coins are there.");
        await page.Locator("button.note-add").ClickAsync(new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator(".timeline-note")).ToContainTextAsync("Customer confirmed", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator(".order-resolution")).ToContainTextAsync("ticket 4711");
        await Assertions.Expect(page.Locator(".confirmation[data-source='manual']")).ToHaveAttributeAsync("data-confirmed", "true");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "order-resolved-with-note.png"), FullPage = true });

        // The webhooks page as this branch's server has it (its endpoints come with the webhooks branch).
        await page.GotoAsync("/admin/webhooks");
        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Shop webhooks", new() { Timeout = 30_000 });
        await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "admin-webhooks.png"), FullPage = true });
    }

    /// <summary>
    /// An order the sandbox fails (a MICO user ending in 91), then a transaction log that lists it as delivered:
    /// the sources disagree, so the order is disputed and waits on a person. Deterministic, unlike waiting for the SLA.
    /// </summary>
    private async Task<long> DisputedOrderAsync(HttpClient admin)
    {
        var created = await fixture.Portal.ShopClient().PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder(micoUserId: "55512391"));
        created.EnsureSuccessStatusCode();
        var id = (await created.ReadAsync<OrderDto>()).Id;
        Assert.True(await PortalClient.EventuallyAsync(async () =>
            (await admin.GetFromJsonAsync<OrderDto>($"/api/v1/orders/{id}", PortalClient.Json))!.Status == OrderStatus.Failed, Patience),
            $"order {id} should fail at the sandbox");

        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var csv = "clientRef,providerRef,status,serial,quantity,amount,currency,updatedAt\n"
            + $"{id}-1,P-{id},SUCCESS,SN-{id},500,4.99,USD,{now}\n";
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(csv));
        file.Headers.ContentType = new MediaTypeHeaderValue("text/csv");
        var upload = await admin.PostAsync("/api/v1/reconciliations", new MultipartFormDataContent { { file, "file", "provider-log.csv" } });
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var run = await upload.ReadAsync<ReconciliationCreated>();
        Assert.True(await PortalClient.EventuallyAsync(async () =>
            (await admin.GetFromJsonAsync<ReconciliationDto>($"/api/v1/reconciliations/{run.Id}", PortalClient.Json))!.State == ReconciliationState.Completed, Patience),
            "the reconciliation should complete");
        Assert.True(await PortalClient.EventuallyAsync(async () =>
            (await admin.GetFromJsonAsync<OrderDto>($"/api/v1/orders/{id}", PortalClient.Json))!.Disputed, Patience),
            $"order {id} should be disputed by the log");
        return id;
    }
}
