using System.Net.Http.Json;
using MicoPortal.Shared.Providers;
using MicoPortal.Tests.Infrastructure;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace MicoPortal.BrowserTests;

/// <summary>The pause switch in a real browser: an Admin pauses a provider with a reason and the overview says so, live.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ProvidersBrowserTests(BrowserFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private readonly IDisposable _serverLog = fixture.ServerLog.Attach(output);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        _serverLog.Dispose();
        await fixture.CloseContextsAsync();
    }

    [Fact]
    public async Task An_admin_pauses_a_provider_and_the_overview_shows_the_banner_until_it_is_resumed()
    {
        var (api, _) = await fixture.Portal.SignInAsync(PortalClient.Admin);
        try
        {
            var page = await fixture.SignedInPageAsync(PortalClient.Admin);
            await page.GotoAsync("/providers");
            var row = page.Locator("tr.provider[data-provider='default']");
            await row.Locator(".pause-provider").ClickAsync(new() { Timeout = 30_000 });
            await page.Locator(".pause-reason input, .pause-reason textarea").First.FillAsync("browser test: float top-up");
            await page.Locator(".pause-submit").ClickAsync();
            await Assertions.Expect(row.Locator(".paused-chip")).ToBeVisibleAsync(new() { Timeout = 30_000 });
            await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "providers-paused.png"), FullPage = true });

            // The server agrees, from its own API.
            var listed = await api.GetFromJsonAsync<ProviderListResponse>("/api/v1/providers", PortalClient.Json);
            Assert.Equal("browser test: float top-up", Assert.Single(listed!.Items, p => p.Name == "default").PauseReason);

            await page.GotoAsync("/");
            var banner = page.Locator("[data-testid='paused-providers-banner']");
            await Assertions.Expect(banner).ToContainTextAsync("browser test: float top-up", new() { Timeout = 30_000 });
            await page.ScreenshotAsync(new() { Path = Path.Combine(BrowserFixture.ScreenshotDirectory, "overview-provider-paused.png"), FullPage = true });

            // Resumed elsewhere (the API): the banner leaves the open page with the next push.
            (await api.PostAsync("/api/v1/providers/default/resume", null)).EnsureSuccessStatusCode();
            await Assertions.Expect(banner).ToHaveCountAsync(0, new() { Timeout = 30_000 });
        }
        finally
        {
            // The other browser tests share this portal and need its provider.
            await api.PostAsync("/api/v1/providers/default/resume", null);
        }
    }
}
