using System.Diagnostics;
using System.Net.Http.Json;
using MicoPortal.Server.Telemetry;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using OpenTelemetry;
using OpenTelemetry.Trace;
using Xunit.Abstractions;
using static MicoPortal.Server.Telemetry.PortalTelemetry;

namespace MicoPortal.Tests.Telemetry;

/// <summary>
/// OpenTelemetry listens to every ActivitySource and Meter of the process by name, not only its own host's, so
/// these tests run alone, after the parallel ones:
/// - spans of other portals in this test process (with their own order ids 1, 2, ...) would land in the trace
///   test's exporter;
/// - disposing another portal's Meter of the same name ends this portal's metric streams too
///   (open-telemetry/opentelemetry-dotnet#6412): a scrape after another test finished lacked the portal's and
///   ASP.NET Core's series. One portal per process, as in production, never meets either.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class TelemetryCollection
{
    public const string Name = "telemetry";
}

/// <summary>README, Telemetry: one order followed from intake to Delivered by its id, on the real server with the sandbox provider.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class OrderTraceTests(ITestOutputHelper output)
{
    [Fact]
    public async Task One_order_is_followed_by_its_id_from_intake_through_the_provider_call_to_the_confirmation_that_delivered_it()
    {
        var spans = new List<Activity>();
        long id;
        await using (var portal = new PortalFactory(PortalFactory.NewDataDirectory(), null, output)
        {
            TestServices = services => services.AddOpenTelemetry().WithTracing(tracing => tracing.AddPortalTracing().AddInMemoryExporter(spans)),
        })
        {
            var response = await portal.ShopClient().PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder());
            id = (await response.ReadAsync<OrderDto>()).Id;
            Assert.True(await PortalClient.EventuallyAsync(async () =>
                await portal.WithDbAsync(db => db.Orders.AnyAsync(o => o.Id == id && o.Status == OrderStatus.Delivered)), TimeSpan.FromSeconds(30)),
                $"order {id} should be Delivered");
        }

        // The host is stopped: every span has ended and been exported.
        var all = spans.ToList();
        var byId = all.ToDictionary(s => s.SpanId);
        var chain = all.Where(s => Equals(s.GetTagItem(Attributes.OrderId), id)).OrderBy(s => s.StartTimeUtc).ToList();
        var start = chain.FirstOrDefault()?.StartTimeUtc ?? default;
        output.WriteLine($"Spans with {Attributes.OrderId}={id} ({chain.Count} of {all.Count} spans):");
        foreach (var span in chain)
        {
            var parent = byId.TryGetValue(span.ParentSpanId, out var p) ? p.DisplayName : span.ParentSpanId == default ? "(root)" : "(remote)";
            var tags = string.Join(", ", span.TagObjects.Where(t => t.Key.StartsWith("micoportal.", StringComparison.Ordinal) && t.Key != Attributes.OrderId)
                .Select(t => $"{t.Key}={t.Value}"));
            output.WriteLine($"+{(span.StartTimeUtc - start).TotalMilliseconds,7:0.0} ms {span.Duration.TotalMilliseconds,7:0.0} ms  {span.Kind,-8} {span.DisplayName,-24} "
                + $"trace {span.TraceId.ToHexString()[..8]} parent {parent}  {tags}");
        }

        var intake = Assert.Single(chain, s => s.DisplayName == Spans.Intake);
        var create = Assert.Single(chain, s => s.DisplayName == Spans.DispatchCreate);
        Assert.Equal($"{id}-1", create.GetTagItem(Attributes.AttemptRef));
        Assert.Equal("default", create.GetTagItem(Attributes.Provider));
        // The provider's HTTP call is the create's child and carries the order id too.
        var call = Assert.Single(chain, s => s.Kind == ActivityKind.Client && s.ParentSpanId == create.SpanId);
        Assert.Equal("POST", call.GetTagItem("http.request.method"));
        var submitted = Assert.Single(chain, s => s.DisplayName == Spans.Transition && Equals(s.GetTagItem(Attributes.Status), nameof(OrderStatus.Submitted)));
        Assert.Equal(create.SpanId, submitted.ParentSpanId);
        // The confirmation that made it Delivered: a callback (with the order's id) or a status query (of many orders).
        var delivered = Assert.Single(chain, s => s.DisplayName == Spans.Transition && Equals(s.GetTagItem(Attributes.Status), nameof(OrderStatus.Delivered)));
        var confirmation = byId[delivered.ParentSpanId];
        Assert.Contains(confirmation.DisplayName, new[] { Spans.Callback, Spans.VerifyQuery });
        Assert.Equal(confirmation.DisplayName == Spans.Callback ? "Callback" : "Query", delivered.GetTagItem(Attributes.AttemptKind));
        output.WriteLine($"Delivered by: {confirmation.DisplayName} ({confirmation.Kind}, {string.Join(", ", confirmation.TagObjects.Select(t => $"{t.Key}={t.Value}"))})");
        Assert.True(intake.StartTimeUtc <= create.StartTimeUtc && create.StartTimeUtc <= delivered.StartTimeUtc, "intake, create and delivery in time order");
    }
}

/// <summary>README, Telemetry: <c>/metrics</c> in Prometheus' text format, with the framework's series and the portal's own.</summary>
[Collection(TelemetryCollection.Name)]
public sealed class MetricsScrapeTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Metrics_carry_ASP_NET_Core_HttpClient_runtime_and_portal_series()
    {
        await using var portal = new PortalFactory(PortalFactory.NewDataDirectory(), null, output);
        var response = await portal.ShopClient().PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder());
        var id = (await response.ReadAsync<OrderDto>()).Id;
        Assert.True(await PortalClient.EventuallyAsync(async () =>
            await portal.WithDbAsync(db => db.Orders.AnyAsync(o => o.Id == id && o.Status == OrderStatus.Delivered)), TimeSpan.FromSeconds(30)));

        // The open-order counts come from the dashboard's summary, refreshed in the background when a scrape finds it
        // old: a later scrape has them.
        var scraper = portal.CreateClient();
        var text = "";
        Assert.True(await PortalClient.EventuallyAsync(async () =>
        {
            text = await scraper.GetStringAsync("/metrics");
            // The delivery's counters are recorded just after its commit, and a scrape is cached for a moment.
            return text.Contains("micoportal_orders_open{", StringComparison.Ordinal)
                && text.Contains("micoportal_orders_completed_total{", StringComparison.Ordinal);
        }, TimeSpan.FromSeconds(10)), "micoportal_orders_open and the completed counter should appear once the summary is refreshed");
        output.WriteLine(string.Join('\n', text.Split('\n').Where(l => l.StartsWith("micoportal_", StringComparison.Ordinal))));

        string[] series =
        [
            "http_server_request_duration_seconds_bucket{",  // ASP.NET Core
            "http_client_request_duration_seconds_bucket{",  // HttpClient (the provider call)
            "dotnet_gc_collections_total{",                  // runtime
            "dotnet_process_memory_working_set_bytes",
            "dotnet_gc_last_collection_heap_size_bytes{",   // the soak and recon benchmarks read these two
            "micoportal_orders_received_total",
            "micoportal_orders_completed_total{",
            "micoportal_delivery_latency_milliseconds_bucket{",
            "micoportal_provider_health{",
            "micoportal_provider_in_flight{",
            "micoportal_provider_concurrency_limit{",
            "micoportal_gc_heap_after_full_gc_bytes",
            "micoportal_sqlite_memory_highwater_bytes",
        ];
        var missing = series.Where(s => !text.Split('\n').Any(l => l.StartsWith(s, StringComparison.Ordinal))).ToList();
        Assert.True(missing.Count == 0, "missing series: " + string.Join(", ", missing));
        Assert.Contains(text.Split('\n'), l => l.StartsWith("micoportal_orders_completed_total{", StringComparison.Ordinal)
            && l.Contains("micoportal_order_status=\"Delivered\"", StringComparison.Ordinal));
        // The delivery latency is a histogram now, not a gauge with quantile labels.
        Assert.DoesNotContain("quantile=", text, StringComparison.Ordinal);
    }
}
