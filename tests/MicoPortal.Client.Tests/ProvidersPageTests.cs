using MicoPortal.Client.Pages;
using MicoPortal.Client.Services;
using MicoPortal.Client.Tests.Mocks;
using MicoPortal.Shared.Providers;

namespace MicoPortal.Client.Tests;

public class ProvidersPageTests : PortalTestContext
{
    public ProvidersPageTests()
    {
        ProvidersApi.Providers.Add(TestData.Provider("alpha", priority: 1, regions: ["MENA", "GLOBAL"]));
        ProvidersApi.Providers.Add(TestData.Provider("beta", priority: 2, health: ProviderHealth.Degraded, paused: true, pauseReason: "float top-up in progress",
            balance: "640.50", lowBalance: true, skus: ["COINS_1000"]));
        ProvidersApi.Providers.Add(TestData.Provider("gamma", priority: 3, health: ProviderHealth.Down, successRate: null, latencyP95Ms: null, inFlight: 0));
    }

    private IRenderedComponent<TestHost> RenderPage()
    {
        var cut = RenderInHost<Providers>();
        cut.WaitForAssertion(() => Assert.Equal(ProvidersApi.Providers.Count, cut.FindAll("tr.provider").Count));
        return cut;
    }

    private static AngleSharp.Dom.IElement Row(IRenderedComponent<TestHost> cut, string name) =>
        cut.Find($"tr.provider[data-provider='{name}']");

    private static string Text(AngleSharp.Dom.IElement row, string selector) => row.QuerySelector(selector)!.TextContent.Trim();

    [Fact]
    public void Each_provider_shows_routing_health_pause_figures_and_balance()
    {
        var cut = RenderPage();

        var alpha = Row(cut, "alpha");
        Assert.Equal("1", Text(alpha, ".provider-priority"));
        Assert.Equal("SKUs: all", Text(alpha, ".provider-skus"));
        Assert.Equal("Regions: MENA, GLOBAL", Text(alpha, ".provider-regions"));
        Assert.Equal("Healthy", Text(alpha, ".health-chip"));
        Assert.Contains("mud-chip-color-success", alpha.QuerySelector(".health-chip")!.ClassName);
        Assert.Null(alpha.QuerySelector(".paused-chip"));
        Assert.Equal("3", Text(alpha, ".provider-in-flight"));
        Assert.Equal("99.1 %", Text(alpha, ".provider-success"));
        Assert.Equal("840 ms", Text(alpha, ".provider-latency"));
        Assert.Equal("12500.00 USD", Text(alpha, ".balance-value"));
        Assert.Null(alpha.QuerySelector(".low-balance"));
        // Three balance points, oldest (highest) first: a line falling from the top left.
        var points = alpha.QuerySelector("svg.balance-sparkline polyline")!.GetAttribute("points")!.Split(' ');
        Assert.Equal(3, points.Length);
        Assert.EndsWith(",1", points[0]);

        var beta = Row(cut, "beta");
        Assert.Equal("SKUs: COINS_1000", Text(beta, ".provider-skus"));
        Assert.Equal("Regions: all", Text(beta, ".provider-regions"));
        Assert.Equal("Degraded", Text(beta, ".health-chip"));
        Assert.Contains("mud-chip-color-warning", beta.QuerySelector(".health-chip")!.ClassName);
        Assert.Equal("Paused", Text(beta, ".paused-chip"));
        var details = Text(beta, ".pause-details");
        Assert.Contains("float top-up in progress", details);
        Assert.Contains("ops-lead@micoportal.local", details);
        Assert.Contains(LocalTime.Format(TestData.Now.AddMinutes(-15)), details);
        Assert.Equal("640.50 USD", Text(beta, ".balance-value"));
        Assert.Equal("Low balance: below 1000.00 USD", Text(beta, ".low-balance"));

        var gamma = Row(cut, "gamma");
        Assert.Equal("Down", Text(gamma, ".health-chip"));
        Assert.Contains("mud-chip-color-error", gamma.QuerySelector(".health-chip")!.ClassName);
        Assert.Equal("—", Text(gamma, ".provider-success"));
        Assert.Equal("—", Text(gamma, ".provider-latency"));
    }

    [Fact]
    public void A_metrics_push_replaces_the_rows_without_asking_the_api_again()
    {
        var cut = RenderPage();

        Hub.PushMetrics(TestData.Summary() with
        {
            Providers =
            [
                TestData.Provider("alpha", health: ProviderHealth.Down, inFlight: 42, successRate: 0.5, paused: true, pauseReason: "provider incident"),
                TestData.Provider("beta", priority: 2),
            ],
        });

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll("tr.provider").Count));
        var alpha = Row(cut, "alpha");
        Assert.Equal("Down", Text(alpha, ".health-chip"));
        Assert.Equal("42", Text(alpha, ".provider-in-flight"));
        Assert.Equal("50.0 %", Text(alpha, ".provider-success"));
        Assert.Contains("provider incident", Text(alpha, ".pause-details"));
        Assert.Null(Row(cut, "beta").QuerySelector(".paused-chip"));
        Assert.Equal(1, ProvidersApi.LoadCalls);

        // An older server's summary carries no providers: the rows stay as they are.
        Hub.PushMetrics(TestData.Summary());
        Assert.Equal(2, cut.FindAll("tr.provider").Count);
    }

    [Fact]
    public void Operations_see_the_providers_but_no_pause_or_resume()
    {
        Api.CurrentUser = TestData.Operations;

        var cut = RenderPage();

        Assert.Empty(cut.FindAll("button.pause-provider"));
        Assert.Empty(cut.FindAll("button.resume-provider"));
    }

    [Fact]
    public void Admins_can_pause_a_running_provider_and_resume_a_paused_one()
    {
        var cut = RenderPage();

        Assert.NotNull(Row(cut, "alpha").QuerySelector("button.pause-provider"));
        Assert.Null(Row(cut, "alpha").QuerySelector("button.resume-provider"));
        Assert.NotNull(Row(cut, "beta").QuerySelector("button.resume-provider"));
        Assert.Null(Row(cut, "beta").QuerySelector("button.pause-provider"));
    }

    [Fact]
    public void Pause_needs_a_reason_and_sends_it_trimmed()
    {
        var cut = RenderPage();

        Row(cut, "alpha").QuerySelector("button.pause-provider")!.Click();
        cut.WaitForAssertion(() => Assert.Contains("Pause alpha", cut.Find(".mud-dialog").TextContent));
        Assert.True(cut.Find(".mud-dialog button.pause-submit").HasAttribute("disabled"));

        cut.Find(".mud-dialog .pause-reason textarea").Input("   ");
        cut.WaitForAssertion(() => Assert.True(cut.Find(".mud-dialog button.pause-submit").HasAttribute("disabled")));

        cut.Find(".mud-dialog .pause-reason textarea").Input("  float top-up in progress \n");
        cut.WaitForAssertion(() => Assert.False(cut.Find(".mud-dialog button.pause-submit").HasAttribute("disabled")));
        cut.Find(".mud-dialog button.pause-submit").Click();

        cut.WaitForAssertion(() => Assert.Equal([("alpha", "float top-up in progress")], ProvidersApi.Paused));
        cut.WaitForAssertion(() => Assert.Equal("Paused", Text(Row(cut, "alpha"), ".paused-chip")));
        Assert.Empty(cut.FindAll(".mud-dialog"));
        Assert.Contains("alpha is paused.", cut.Markup); // the snackbar
    }

    [Fact]
    public void Cancelling_the_pause_dialog_pauses_nothing()
    {
        var cut = RenderPage();

        Row(cut, "alpha").QuerySelector("button.pause-provider")!.Click();
        cut.WaitForAssertion(() => cut.Find(".mud-dialog button.pause-cancel"));
        cut.Find(".mud-dialog .pause-reason textarea").Input("changed my mind");
        cut.Find(".mud-dialog button.pause-cancel").Click();

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".mud-dialog")));
        Assert.Empty(ProvidersApi.Paused);
        Assert.Null(Row(cut, "alpha").QuerySelector(".paused-chip"));
    }

    [Fact]
    public void A_refused_pause_shows_the_servers_reason()
    {
        ProvidersApi.PauseFailure = "A reason is required.";
        var cut = RenderPage();

        Row(cut, "alpha").QuerySelector("button.pause-provider")!.Click();
        cut.WaitForAssertion(() => cut.Find(".mud-dialog .pause-reason textarea").Input("x"));
        cut.Find(".mud-dialog button.pause-submit").Click();

        cut.WaitForAssertion(() => Assert.Contains("A reason is required.", cut.Markup));
        Assert.Null(Row(cut, "alpha").QuerySelector(".paused-chip"));
    }

    [Fact]
    public void Resume_asks_first_then_shows_the_provider_running()
    {
        var cut = RenderPage();

        Row(cut, "beta").QuerySelector("button.resume-provider")!.Click();
        cut.WaitForAssertion(() => Assert.Contains("Resume beta?", cut.Find(".mud-dialog").TextContent));
        Assert.Empty(ProvidersApi.Resumed);
        cut.FindAll(".mud-dialog button").Single(b => b.TextContent.Trim() == "Resume").Click();

        cut.WaitForAssertion(() => Assert.Equal(["beta"], ProvidersApi.Resumed));
        cut.WaitForAssertion(() => Assert.Null(Row(cut, "beta").QuerySelector(".paused-chip")));
        Assert.NotNull(Row(cut, "beta").QuerySelector("button.pause-provider"));
    }

    [Fact]
    public void A_load_failure_is_shown_with_a_retry_and_no_providers_is_said_plainly()
    {
        ProvidersApi.LoadError = new PortalApiException("The portal answered 503 Service Unavailable.", 503);
        var cut = RenderInHost<Providers>();

        cut.WaitForAssertion(() => Assert.Contains("The portal answered 503", cut.Find(".load-error").TextContent));
        Assert.Empty(cut.FindAll("tr.provider"));

        ProvidersApi.LoadError = null;
        ProvidersApi.Providers.Clear();
        cut.Find(".load-error-retry").Click();

        cut.WaitForAssertion(() => Assert.Contains("No providers configured", cut.Find(".empty-state").TextContent));
        Assert.Empty(cut.FindAll(".load-error"));
    }

    [Fact]
    public async Task Leaving_the_page_stops_listening_to_pushes()
    {
        RenderPage();

        await DisposeComponentsAsync();

        Assert.False(Hub.HasMetricsUpdatedSubscribers);
    }
}

public class PausedProvidersBannerTests : PortalTestContext
{
    private const string Banner = "[data-testid='paused-providers-banner']";

    [Fact]
    public void The_overview_names_each_paused_provider_and_its_reason_until_a_push_says_none_is_paused()
    {
        ProvidersApi.Providers.Add(TestData.Provider("alpha"));
        ProvidersApi.Providers.Add(TestData.Provider("beta", paused: true, pauseReason: "float top-up in progress"));
        ProvidersApi.Providers.Add(TestData.Provider("gamma", paused: true, pauseReason: null));

        var cut = RenderInHost<Overview>();

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll($"{Banner} .paused-provider").Count));
        var lines = cut.FindAll($"{Banner} .paused-provider").Select(l => l.TextContent.Trim()).ToList();
        Assert.Equal(["Provider beta is paused: float top-up in progress", "Provider gamma is paused."], lines);
        Assert.Equal("providers", cut.Find($"{Banner} a.paused-providers-link").GetAttribute("href"));

        // An older server's summary says nothing about providers: the banner stays.
        Hub.PushMetrics(TestData.Summary());
        Assert.Single(cut.FindAll(Banner));

        Hub.PushMetrics(TestData.Summary() with { Providers = [TestData.Provider("alpha"), TestData.Provider("beta"), TestData.Provider("gamma")] });

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(Banner)));
    }

    [Fact]
    public void A_push_that_pauses_a_provider_brings_the_banner()
    {
        ProvidersApi.Providers.Add(TestData.Provider("alpha"));
        var cut = RenderInHost<Overview>();
        cut.WaitForAssertion(() => Assert.Equal(1, ProvidersApi.LoadCalls));
        Assert.Empty(cut.FindAll(Banner));

        Hub.PushMetrics(TestData.Summary() with { Providers = [TestData.Provider("alpha", paused: true, pauseReason: "provider incident")] });

        cut.WaitForAssertion(() => Assert.Equal("Provider alpha is paused: provider incident", cut.Find($"{Banner} .paused-provider").TextContent.Trim()));
    }

    [Fact]
    public void A_failed_provider_list_shows_no_banner_and_the_overview_still_loads()
    {
        ProvidersApi.LoadError = new PortalApiException("Not found.", 404);

        var cut = RenderInHost<Overview>();

        cut.WaitForAssertion(() => Assert.Equal("7", cut.Find("[data-kpi='failed'] .kpi-value").TextContent.Trim()));
        Assert.Empty(cut.FindAll(Banner));
        Assert.Empty(cut.FindAll(".load-error"));
    }
}
