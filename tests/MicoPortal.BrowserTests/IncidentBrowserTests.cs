using System.Net.Http.Json;
using MicoPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace MicoPortal.BrowserTests;

/// <summary>An incident raised by the real detector reaches an overview page that is already open.</summary>
[Collection(BrowserCollection.Name)]
public sealed class IncidentBrowserTests(BrowserFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    /// <summary>No other test and no demo order uses this SKU, so the incident on it is this test's own.</summary>
    private const string Sku = "MICO-COINS-BROWNOUT";

    private static readonly LocatorAssertionsToBeVisibleOptions Visible = new() { Timeout = 60_000 };

    private readonly IDisposable _serverLog = fixture.ServerLog.Attach(output);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _serverLog.Dispose();
        await fixture.CloseContextsAsync();
    }

    [Fact]
    public async Task A_brown_out_opens_an_incident_that_appears_on_the_open_overview_without_a_reload()
    {
        var page = await fixture.SignedInPageAsync(PortalClient.Operations);
        await Assertions.Expect(page.Locator(".incident-list")).ToBeVisibleAsync(Visible);
        await Assertions.Expect(page.Locator(".incidents-loading")).ToHaveCountAsync(0, new() { Timeout = 60_000 });
        await Assertions.Expect(page.Locator(".connection-indicator")).ToHaveAttributeAsync("data-state", "Connected", new() { Timeout = 60_000 });
        // Survives only as long as this document does: a reload or navigation would drop it.
        await page.EvaluateAsync("() => { window.__sameDocument = true; }");

        // A dozen orders for one SKU in MENA whose accounts the sandbox rejects (user ids ending in 91): all Failed.
        var shop = fixture.Portal.ShopClient();
        for (var i = 0; i < 12; i++)
        {
            var order = PortalClient.NewOrder(micoUserId: $"7{i:00}40091") with { Region = "MENA", Sku = Sku };
            (await shop.PostAsJsonAsync("/api/v1/orders", order)).EnsureSuccessStatusCode();
        }

        var banner = page.Locator(".incident-banner");
        await Assertions.Expect(banner).ToBeVisibleAsync(Visible);
        await Assertions.Expect(banner).ToContainTextAsync(Sku);
        await Assertions.Expect(banner).ToContainTextAsync("MENA");
        await Assertions.Expect(banner).ToHaveAttributeAsync("data-severity", "Critical");
        output.WriteLine($"banner: {await banner.InnerTextAsync()}");

        var row = page.Locator("tr.incident-row[data-open='true']", new() { HasText = Sku });
        await Assertions.Expect(row).ToBeVisibleAsync(Visible);
        await Assertions.Expect(row.Locator(".incident-slice")).ToContainTextAsync("MENA");
        await Assertions.Expect(row.Locator(".incident-resolved")).ToHaveTextAsync("open");

        // The row is the incident the server holds open for this slice.
        var incidentId = await fixture.Portal.WithDbAsync(db => db.Incidents
            .Where(i => i.Sku == Sku && i.Region == "MENA" && i.ResolvedAt == null)
            .Select(i => i.Id).SingleAsync());
        Assert.Equal(incidentId.ToString(System.Globalization.CultureInfo.InvariantCulture), await row.GetAttributeAsync("data-incident-id"));
        Assert.True(await page.EvaluateAsync<bool>("() => window.__sameDocument === true"), "the incident should arrive over the hub, not by reloading the page");

        await banner.ScrollIntoViewIfNeededAsync();
        await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "overview-incident.png"), FullPage = true });
    }
}
