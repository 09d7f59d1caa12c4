using MicoPortal.Client.Components;
using MicoPortal.Client.Pages;
using MicoPortal.Client.Services;
using MicoPortal.Client.Tests.Mocks;
using MicoPortal.Shared.Incidents;

namespace MicoPortal.Client.Tests;

public class IncidentTests : PortalTestContext
{
    private static LoadState<IReadOnlyCollection<IncidentDto>> Loaded(IReadOnlyCollection<IncidentDto> incidents)
    {
        var state = new LoadState<IReadOnlyCollection<IncidentDto>>();
        state.Set(incidents);
        return state;
    }

    [Fact]
    public void The_banner_is_absent_while_nothing_is_open()
    {
        var cut = Render<IncidentBanner>(p => p.Add(b => b.Incidents, [TestData.Incident(1, resolvedAt: TestData.Now)]));

        Assert.Empty(cut.FindAll(".incident-banner"));
    }

    [Fact]
    public void The_banner_counts_open_incidents_and_leads_with_the_most_severe()
    {
        IncidentDto[] incidents =
        [
            TestData.Incident(1, IncidentSeverity.Warning, IncidentMetrics.Unknown, summary: "14 orders in Unknown now, normally 2"),
            TestData.Incident(2, IncidentSeverity.Critical, IncidentMetrics.LatencyP95, sku: "MICO-COINS-1000", region: "GLOBAL", summary: "latency p95 6271 ms"),
            TestData.Incident(3, resolvedAt: TestData.Now),
        ];

        var cut = Render<IncidentBanner>(p => p.Add(b => b.Incidents, incidents));

        var banner = cut.Find(".incident-banner");
        Assert.Equal("Critical", banner.GetAttribute("data-severity"));
        Assert.Contains("2 open incidents", banner.TextContent);
        Assert.Contains("Latency spike for MICO-COINS-1000 · GLOBAL", banner.TextContent);
        Assert.Contains("latency p95 6271 ms", cut.Find(".incident-banner-evidence").TextContent);
    }

    [Fact]
    public void The_list_shows_open_incidents_first_with_their_evidence()
    {
        IncidentDto[] incidents =
        [
            TestData.Incident(1, resolvedAt: TestData.Now, summary: "old one"),
            TestData.Incident(5, IncidentSeverity.Critical, IncidentMetrics.Stuck, summary: "60 stuck orders now, normally 0"),
        ];

        var cut = Render<IncidentTable>(p => p.Add(l => l.State, Loaded(incidents)));

        var rows = cut.FindAll(".incident-row");
        Assert.Equal(["5", "1"], rows.Select(r => r.GetAttribute("data-incident-id")));
        Assert.Equal("true", rows[0].GetAttribute("data-open"));
        Assert.Equal("false", rows[1].GetAttribute("data-open"));
        Assert.Equal("Stuck orders", rows[0].QuerySelector(".incident-metric")!.TextContent);
        Assert.Equal("open", rows[0].QuerySelector(".incident-resolved")!.TextContent);
        Assert.Contains("60 stuck orders", rows[0].QuerySelector(".incident-evidence")!.TextContent);
        Assert.NotEqual("open", rows[1].QuerySelector(".incident-resolved")!.TextContent);
    }

    [Fact]
    public async Task The_list_says_so_when_there_are_none_and_shows_a_load_error()
    {
        var notLoaded = new LoadState<IReadOnlyCollection<IncidentDto>>();
        await notLoaded.LoadAsync<IReadOnlyCollection<IncidentDto>>(_ => throw new PortalApiException("The portal answered 503."));

        var empty = Render<IncidentTable>(p => p.Add(l => l.State, Loaded([])));
        var failed = Render<IncidentTable>(p => p.Add(l => l.State, notLoaded));

        Assert.Contains("No incidents", empty.Markup);
        Assert.Contains("The portal answered 503.", failed.Find(".load-error").TextContent);
    }

    [Fact]
    public void The_overview_shows_loaded_incidents_and_a_pushed_one_appears_then_resolves_live()
    {
        Api.Incidents.Add(TestData.Incident(1, resolvedAt: TestData.Now));
        var cut = RenderInHost<Overview>();
        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".incident-row")));
        Assert.Empty(cut.FindAll(".incident-banner"));

        var brownOut = TestData.Incident(7, IncidentSeverity.Critical);
        Hub.PushIncidents(brownOut);

        cut.WaitForAssertion(() => Assert.Contains("1 open incident", cut.Find(".incident-banner").TextContent));
        Assert.Equal(2, cut.FindAll(".incident-row").Count);

        Hub.PushIncidents(brownOut with { ResolvedAt = TestData.Now.AddMinutes(5) });

        cut.WaitForAssertion(() => Assert.Empty(cut.FindAll(".incident-banner")));
        Assert.Equal(2, cut.FindAll(".incident-row").Count);
    }

    [Fact]
    public void The_overview_shows_the_automation_rate_next_to_the_success_rate()
    {
        Api.Summary = TestData.Summary(automationRate: 0.9625);

        var cut = RenderInHost<Overview>();

        cut.WaitForAssertion(() => Assert.Equal("96.3 %", cut.Find("[data-kpi='automation-rate'] .kpi-value").TextContent.Trim()));
        var keys = cut.FindAll("[data-kpi]").Select(k => k.GetAttribute("data-kpi")).ToList();
        Assert.Equal(keys.IndexOf("success-rate") + 1, keys.IndexOf("automation-rate"));
    }
}
