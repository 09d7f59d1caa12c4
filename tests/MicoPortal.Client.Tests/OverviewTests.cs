using MicoPortal.Client.Components;
using MicoPortal.Client.Pages;
using MicoPortal.Client.Services;
using MicoPortal.Client.Tests.Mocks;
using MicoPortal.Shared.Metrics;
using MicoPortal.Shared.Orders;

namespace MicoPortal.Client.Tests;

public class OverviewTests : PortalTestContext
{
    private static string Kpi(IRenderedComponent<TestHost> cut, string key) =>
        cut.Find($"[data-kpi='{key}'] .kpi-value").TextContent.Trim();

    [Fact]
    public void Kpi_cards_show_the_values_of_the_summary()
    {
        Api.Summary = TestData.Summary(successRate: 0.975, delivered: 1500, failed: 7, reversed: 1, pending: 12,
            unknown: 3, stuck: 2, disputed: 4, p95: 1234, throughput: 42.5);

        var cut = RenderInHost<Overview>();

        cut.WaitForAssertion(() => Assert.Equal("97.5 %", Kpi(cut, "success-rate")));
        Assert.Equal("1.2 s", Kpi(cut, "latency-p95"));
        Assert.Equal("12", Kpi(cut, "pending"));
        Assert.Equal("3", Kpi(cut, "unknown"));
        Assert.Equal("7", Kpi(cut, "failed"));
        Assert.Equal("2", Kpi(cut, "stuck"));
        Assert.Equal("1,500", Kpi(cut, "delivered"));
        Assert.Equal("1", Kpi(cut, "reversed"));
        Assert.Equal("4", Kpi(cut, "disputed"));
        Assert.Equal("42.5/min", Kpi(cut, "throughput"));
    }

    [Fact]
    public void A_metrics_push_replaces_the_kpis_without_asking_the_api_again()
    {
        var cut = RenderInHost<Overview>();
        cut.WaitForAssertion(() => Assert.Equal("7", Kpi(cut, "failed")));

        Hub.PushMetrics(TestData.Summary(failed: 19, successRate: 0.5, pending: 250));

        cut.WaitForAssertion(() => Assert.Equal("19", Kpi(cut, "failed")));
        Assert.Equal("50.0 %", Kpi(cut, "success-rate"));
        Assert.Equal("250", Kpi(cut, "pending"));
        Assert.Equal(1, Api.SummaryCalls);
    }

    [Fact]
    public void A_failed_summary_shows_an_error_and_no_numbers()
    {
        Api.SummaryError = new PortalApiException("The portal answered 503 Service Unavailable.", 503);

        var cut = RenderInHost<Overview>();

        cut.WaitForAssertion(() => Assert.Contains("The portal answered 503", cut.Find(".load-error").TextContent));
        Assert.Equal("—", Kpi(cut, "failed"));
    }

    [Fact]
    public void An_hour_without_deliveries_shows_an_empty_chart_state()
    {
        Api.Timeseries = new MetricsTimeseries([]);

        var cut = RenderInHost<Overview>();

        cut.WaitForAssertion(() => Assert.Contains("No deliveries in the last hour", cut.Markup));
        Assert.Empty(cut.FindAll(".throughput-chart"));
    }

    [Fact]
    public void The_chart_renders_when_the_timeseries_has_points()
    {
        Api.Timeseries = new MetricsTimeseries(
        [
            new MetricsPoint(TestData.Now.AddMinutes(-2), 30, 1, 31, 900),
            new MetricsPoint(TestData.Now.AddMinutes(-1), 40, 2, 42, 1100),
        ]);

        var cut = RenderInHost<Overview>();

        cut.WaitForAssertion(() => Assert.Single(cut.FindAll(".throughput-chart")));
        Assert.Single(cut.FindAll(".latency-chart"));
        Assert.DoesNotContain("No deliveries in the last hour", cut.Markup);
    }
}

public class LiveFeedTests : PortalTestContext
{
    [Fact]
    public void Pushed_changes_appear_newest_first_and_link_to_the_order()
    {
        var cut = RenderInHost<LiveFeed>();
        Assert.Contains("Waiting for order changes", cut.Markup);

        Hub.PushOrdersChanged(
            new OrderChange(11, "shop-11", OrderStatus.Delivered, false, false, TestData.Now),
            new OrderChange(12, "shop-12", OrderStatus.Failed, false, true, TestData.Now.AddSeconds(1)));

        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".live-feed-item").Count));
        var items = cut.FindAll(".live-feed-item");
        Assert.Equal("12", items[0].GetAttribute("data-order-id"));
        Assert.Equal("11", items[1].GetAttribute("data-order-id"));
        Assert.Contains("Failed", items[0].TextContent);
        Assert.Contains("Disputed", items[0].TextContent);
        Assert.Equal("orders/12", items[0].QuerySelector("a")!.GetAttribute("href"));
    }

    [Fact]
    public void An_order_that_changes_again_is_one_row_with_its_latest_status_moved_to_the_top()
    {
        var cut = RenderInHost<LiveFeed>();

        Hub.PushOrdersChanged(
            new OrderChange(21, "shop-21", OrderStatus.Received, false, false, TestData.Now),
            new OrderChange(22, "shop-22", OrderStatus.Received, false, false, TestData.Now.AddSeconds(1)));
        cut.WaitForAssertion(() => Assert.Equal(2, cut.FindAll(".live-feed-item").Count));

        Hub.PushOrdersChanged(new OrderChange(21, "shop-21", OrderStatus.Delivered, false, false, TestData.Now.AddSeconds(2)));

        cut.WaitForAssertion(() => Assert.Equal(["21", "22"],
            cut.FindAll(".live-feed-item").Select(e => e.GetAttribute("data-order-id") ?? "").ToList()));
        Assert.Contains("Delivered", cut.FindAll(".live-feed-item")[0].TextContent);
    }

    [Fact]
    public void The_feed_keeps_only_its_capacity()
    {
        var cut = RenderInHost<LiveFeed>(p => p.Add(f => f.Capacity, 3));

        Hub.PushOrdersChanged(Enumerable.Range(1, 5)
            .Select(i => new OrderChange(i, $"shop-{i}", OrderStatus.Delivered, false, false, TestData.Now.AddSeconds(i)))
            .ToArray());

        cut.WaitForAssertion(() => Assert.Equal(
            ["5", "4", "3"],
            cut.FindAll(".live-feed-item").Select(e => e.GetAttribute("data-order-id") ?? "").ToList()));
    }
}

public class ProviderPipelineTests : PortalTestContext
{
    private static ProviderPipelineStatus Pipeline(int creates = 740, int queries = 3, int limit = 1024, double latency = 151.4, int cap = 0) =>
        new("default", creates, queries, limit, latency, cap, Calls: 120_000, Refused: 12, Failed: 5, Waiting: 0, RefusalBackground: 0.1, FailureBackground: 0.2, CutsUndone: 3);

    [Fact]
    public void The_overview_shows_each_providers_calls_in_flight_limit_and_latency_and_follows_the_push()
    {
        Api.Summary = TestData.Summary() with { Pipeline = [Pipeline()] };

        var cut = RenderInHost<Overview>();

        cut.WaitForAssertion(() => Assert.Equal("740", cut.Find("[data-provider='default'] .in-flight-creates").TextContent));
        Assert.Equal("3", cut.Find("[data-provider='default'] .in-flight-queries").TextContent);
        Assert.Equal("1,024", cut.Find("[data-provider='default'] .concurrency-limit").TextContent);
        Assert.Equal("151 ms", cut.Find("[data-provider='default'] .latency").TextContent);
        Assert.Equal("none", cut.Find("[data-provider='default'] .rate-cap").TextContent);
        Assert.Equal("12 / 5", cut.Find("[data-provider='default'] .refused-failed").TextContent);
        Assert.Equal($"{0.1:P1} / {0.2:P1}", cut.Find("[data-provider='default'] .background").TextContent);
        Assert.Equal("3 cuts undone", cut.Find("[data-provider='default'] .background").GetAttribute("title"));

        // The limit is cut after a refusal; the next push shows it without a reload.
        Hub.PushMetrics(TestData.Summary() with { Pipeline = [Pipeline(creates: 300, limit: 716, latency: 480, cap: 2000)] });

        cut.WaitForAssertion(() => Assert.Equal("716", cut.Find("[data-provider='default'] .concurrency-limit").TextContent));
        Assert.Equal("300", cut.Find("[data-provider='default'] .in-flight-creates").TextContent);
        Assert.Equal("480 ms", cut.Find("[data-provider='default'] .latency").TextContent);
        Assert.Equal("2,000/s", cut.Find("[data-provider='default'] .rate-cap").TextContent);
    }

    [Fact]
    public void Before_any_provider_call_the_pipeline_says_so()
    {
        Api.Summary = TestData.Summary();

        var cut = RenderInHost<Overview>();

        cut.WaitForAssertion(() => Assert.Equal("No provider calls yet.", cut.Find(".pipeline-empty").TextContent));
    }
}
