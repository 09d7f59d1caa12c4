using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace MicoPortal.Benchmarks;

/// <summary>
/// <c>freshness</c>: how long after a transition is committed does a dashboard see it? A SignalR
/// client signed in as an operator receives <c>OrdersChanged</c> while orders flow through the
/// whole pipeline (Received, Submitted, Delivered) at a steady rate; each change's age is its
/// arrival time minus its <c>changedAt</c> (same machine, same clock).
/// </summary>
public static class FreshnessBenchmark
{
    public static async Task<int> RunAsync(BenchmarkOptions options)
    {
        var seconds = options.Int("seconds", 30);
        var rate = options.Int("rate", 200);
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"micoportal-bench-freshness-{Guid.NewGuid():N}");
        await using var server = await PortalProcess.StartAsync(dataDirectory, new Dictionary<string, string?> { ["Sandbox:LatencyMs"] = "20" });

        var cookies = new CookieContainer();
        using (var login = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = server.Root })
        {
            (await login.PostAsJsonAsync("api/v1/auth/login", new { email = "ops@micoportal.local", password = "Dev-Passw0rd!" })).EnsureSuccessStatusCode();
        }

        var ages = new ConcurrentBag<double>();
        var messages = 0;
        await using var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(server.Root, "hubs/operations"), o => { o.Cookies = cookies; o.Headers["Origin"] = server.Root.GetLeftPart(UriPartial.Authority); })
            .AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new System.Text.Json.Serialization.JsonStringEnumConverter()))
            .Build();
        hub.On<OrderChange[]>("OrdersChanged", changes =>
        {
            var now = DateTimeOffset.UtcNow;
            Interlocked.Increment(ref messages);
            foreach (var change in changes)
            {
                ages.Add((now - change.ChangedAt).TotalMilliseconds);
            }
        });
        await hub.StartAsync();

        using var shop = server.ShopClient();
        var interval = TimeSpan.FromSeconds(1.0 / rate);
        var until = DateTime.UtcNow.AddSeconds(seconds);
        var sent = 0;
        using (var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(50)))
        {
            var perTick = Math.Max(1, rate / 20);
            while (DateTime.UtcNow < until && await ticker.WaitForNextTickAsync())
            {
                var batch = Enumerable.Range(0, perTick).Select(_ => new CreateOrderRequest(
                    $"fresh-{Guid.NewGuid():N}", $"{1_000_000 + Random.Shared.Next(8_999_999)}{10 + Random.Shared.Next(80)}", "GLOBAL",
                    "MICO-COINS-500", 500, "4.99", "USD")).ToList();
                (await shop.PostAsJsonAsync("api/v1/orders/batch", new CreateOrderBatchRequest(batch))).EnsureSuccessStatusCode();
                sent += batch.Count;
            }
        }

        await Task.Delay(5000); // the last orders' deliveries
        var sorted = ages.Order().ToList();
        double P(double q) => Math.Round(sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * q))], 1);
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            scenario = "freshness",
            seconds,
            ordersSent = sent,
            changesSeen = sorted.Count,
            hubMessages = messages,
            messagesPerSecond = Math.Round(messages / (seconds + 5.0), 1),
            p50Ms = P(0.50),
            p95Ms = P(0.95),
            p99Ms = P(0.99),
            maxMs = Math.Round(sorted[^1], 1),
        }));
        return 0;
    }
}
