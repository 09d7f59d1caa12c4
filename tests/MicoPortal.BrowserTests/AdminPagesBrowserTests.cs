using System.Net;
using System.Net.Http.Json;
using MicoPortal.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace MicoPortal.BrowserTests;

/// <summary>Admin pages in a real browser: a key made on the page works against the shop API.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AdminPagesBrowserTests(BrowserFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly IDisposable _serverLog = fixture.ServerLog.Attach(output);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _serverLog.Dispose();
        await fixture.CloseContextsAsync();
    }

    [Fact]
    public async Task An_admin_creates_a_shop_key_on_the_page_and_the_key_places_an_order()
    {
        var page = await fixture.SignedInPageAsync(PortalClient.Admin);
        await page.GotoAsync("/admin/api-keys");

        await page.Locator(".new-key-shop input").FillAsync("browser-shop");
        await page.Locator(".new-key-name input").FillAsync("browser test");
        await page.Locator("button.create-key").ClickAsync();
        var keyText = page.Locator(".created-key-value");
        await keyText.WaitForAsync(new() { Timeout = 30_000 });
        var key = (await keyText.InnerTextAsync()).Trim();
        await Assertions.Expect(page.Locator("tr.api-key", new() { HasText = "browser-shop" })).ToBeVisibleAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "admin-api-keys.png"), FullPage = true });

        var shop = fixture.Portal.CreateClient();
        shop.DefaultRequestHeaders.Add("X-Api-Key", key);
        var response = await shop.PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder());
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);

        await page.GotoAsync("/admin/users");
        await Assertions.Expect(page.Locator("tr.user", new() { HasText = PortalClient.Operations })).ToBeVisibleAsync(new() { Timeout = 30_000 });
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "admin-users.png"), FullPage = true });
    }

    [Fact]
    public async Task An_operations_user_is_told_the_admin_pages_are_for_admins()
    {
        var page = await fixture.SignedInPageAsync(PortalClient.Operations);
        await page.GotoAsync("/admin/api-keys");

        await Assertions.Expect(page.Locator("h1")).ToHaveTextAsync("Access denied", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator(".admin-nav")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task An_admin_uploads_a_transaction_log_from_the_page_and_follows_its_run()
    {
        var page = await fixture.SignedInPageAsync(PortalClient.Admin);
        await page.GotoAsync("/admin/reconciliations");
        await page.Locator("button.upload-log").WaitForAsync(new() { Timeout = 30_000 });
        // One row for an order the portal never made, one that cannot be read.
        var csv = "clientRef,providerRef,status,serial,quantity,amount,currency,updatedAt\n"
            + "987654321-1,P1,SUCCESS,S1,500,4.99,USD,2026-11-25T10:00:00Z\n"
            + "1-1,P2,EXPLODED,,500,4.99,USD,2026-11-25T10:00:01Z\n";

        await page.Locator(".log-upload input[type=file]").SetInputFilesAsync(new FilePayload
        {
            Name = "provider-log.csv",
            MimeType = "text/csv",
            Buffer = System.Text.Encoding.UTF8.GetBytes(csv),
        });

        await page.WaitForURLAsync(url => url.Contains("/admin/reconciliations/", StringComparison.Ordinal), new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator(".reconciliation-state").First).ToHaveTextAsync("Completed", new() { Timeout = 30_000 });
        await Assertions.Expect(page.Locator("body")).ToContainTextAsync("provider-log.csv");
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "admin-reconciliation-upload.png"), FullPage = true });
    }
}
