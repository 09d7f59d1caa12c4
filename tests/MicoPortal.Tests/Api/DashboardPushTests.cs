using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using MicoPortal.Shared.Metrics;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace MicoPortal.Tests.Api;

public class DashboardPushTests(PortalFixture fixture) : IClassFixture<PortalFixture>
{
    private async Task<HubConnection> ConnectAsync(CookieContainer cookies)
    {
        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(fixture.Factory.RootUri, "/hubs/operations"), o => { o.Cookies = cookies; o.Headers["Origin"] = PortalClient.OriginOf(fixture.Factory.RootUri); })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()))
            .Build();
        await hub.StartAsync();
        return hub;
    }

    // How fast a change reaches a dashboard is a benchmark figure (BENCHMARKS.md, freshness), not a wall-clock
    // assertion: on a loaded machine any bound is either loose enough to prove nothing or flaky.
    [Fact]
    public async Task A_new_order_reaches_a_connected_dashboard()
    {
        var (_, cookies) = await fixture.Factory.SignInAsync(PortalClient.Operations);
        await using var hub = await ConnectAsync(cookies);
        var seen = new ConcurrentDictionary<long, OrderChange>();
        hub.On<OrderChange[]>("OrdersChanged", changes =>
        {
            foreach (var change in changes)
            {
                seen.TryAdd(change.Id, change);
            }
        });

        var order = await (await fixture.Factory.ShopClient().PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder())).ReadAsync<OrderDto>();

        Assert.True(await PortalClient.EventuallyAsync(() => Task.FromResult(seen.ContainsKey(order.Id)), TimeSpan.FromSeconds(30)), "the new order should be pushed");
        Assert.Equal(order.ExternalId, seen[order.Id].ExternalId);
    }

    [Fact]
    public async Task Metrics_are_pushed_again_and_again_without_being_asked()
    {
        var (_, cookies) = await fixture.Factory.SignInAsync(PortalClient.Operations);
        await using var hub = await ConnectAsync(cookies);
        var received = new ConcurrentQueue<MetricsSummary>();
        hub.On<MetricsSummary>("MetricsUpdated", received.Enqueue);

        Assert.True(await PortalClient.EventuallyAsync(() => Task.FromResult(received.Count >= 3), TimeSpan.FromSeconds(30)), $"{received.Count} pushes");
        Assert.All(received, summary => Assert.Equal("15m", summary.Window));
    }

    [Fact]
    public async Task The_hub_refuses_anonymous_connections()
    {
        var hub = new HubConnectionBuilder().WithUrl(new Uri(fixture.Factory.RootUri, "/hubs/operations")).Build();

        var error = await Assert.ThrowsAsync<HttpRequestException>(() => hub.StartAsync());

        Assert.Equal(HttpStatusCode.Unauthorized, error.StatusCode);
    }

    [Fact]
    public async Task Summary_counts_received_orders_and_rejects_a_bad_window()
    {
        var (client, _) = await fixture.Factory.SignInAsync(PortalClient.Operations);
        await fixture.Factory.ShopClient().PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder());

        MetricsTimeseries? timeseries = null;
        var flushed = await PortalClient.EventuallyAsync(async () =>
        {
            timeseries = await client.GetFromJsonAsync<MetricsTimeseries>("/api/v1/metrics/timeseries?window=60m", PortalClient.Json);
            return timeseries!.Points.Sum(p => p.Received) >= 1;
        }, TimeSpan.FromSeconds(30));
        var bad = await client.GetAsync("/api/v1/metrics/summary?window=forever");
        var anonymous = await fixture.Factory.CreateClient().GetAsync("/api/v1/metrics/summary");

        Assert.True(flushed, "the received order should show in the per-minute rollups");
        Assert.InRange(timeseries!.Points.Count, 60, 62);
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
    }
}
