using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text;
using MicoPortal.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Api;

public sealed class ShopLimitsFixture : IAsyncLifetime
{
    public PortalFactory Factory { get; } = new(PortalFactory.NewDataDirectory(), new Dictionary<string, string?>
    {
        ["RateLimiting:IntakePerSecond"] = "5",
        ["RateLimiting:ReadsPerSecond"] = "5",
        ["RateLimiting:AnonymousPerSecond"] = "5",
    });

    public Task InitializeAsync()
    {
        Factory.StartServer();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();
}

/// <summary>
/// No work before authentication (issue 15 item 5): the shop key is checked before the body is read, the
/// limiter partitions by the authenticated shop or else by address, and reads are limited too.
/// </summary>
public class ShopAuthenticationTests(ShopLimitsFixture fixture, ITestOutputHelper output) : IClassFixture<ShopLimitsFixture>
{
    [Fact]
    public async Task An_invalid_key_is_refused_while_its_2_MB_body_is_still_being_sent()
    {
        var root = fixture.Factory.RootUri;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(root.Host, root.Port);
        await using var stream = tcp.GetStream();
        const int bodyBytes = 2 * 1024 * 1024;
        var head = $"POST /api/v1/orders HTTP/1.1\r\nHost: {root.Authority}\r\nX-Api-Key: not-a-key\r\nContent-Type: application/json\r\nContent-Length: {bodyBytes}\r\n\r\n";
        await stream.WriteAsync(Encoding.ASCII.GetBytes(head));
        // The first 64 KB of the body (JSON whitespace after '{'), then the sender holds back the rest.
        var start = new byte[64 * 1024];
        Array.Fill(start, (byte)' ');
        start[0] = (byte)'{';
        await stream.WriteAsync(start);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        var buffer = new byte[4096];
        var received = new StringBuilder();
        try
        {
            while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                var read = await stream.ReadAsync(buffer, timeout.Token);
                if (read == 0)
                {
                    break;
                }

                received.Append(Encoding.ASCII.GetString(buffer, 0, read));
            }
        }
        catch (OperationCanceledException)
        {
        }

        output.WriteLine(received.ToString().Split("\r\n")[0]);
        Assert.True(received.Length > 0, "no answer within 10 s while 1.94 MB of the body were held back: the server waits for the body before checking the key");
        Assert.StartsWith("HTTP/1.1 401", received.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_with_random_invalid_keys_share_one_address_bucket()
    {
        var client = fixture.Factory.CreateClient();

        var statuses = await Task.WhenAll(Enumerable.Range(0, 30).Select(async _ =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/orders") { Content = JsonContent.Create(PortalClient.NewOrder()) };
            request.Headers.Add("X-Api-Key", "mp_" + Guid.NewGuid().ToString("N"));
            using var response = await client.SendAsync(request);
            return response.StatusCode;
        }));

        output.WriteLine(string.Join(", ", statuses.GroupBy(s => s).Select(g => $"{(int)g.Key}: {g.Count()}")));
        Assert.All(statuses, s => Assert.True(s is HttpStatusCode.Unauthorized or HttpStatusCode.TooManyRequests, s.ToString()));
        // Thirty made-up keys, one address: with a bucket per presented key none would ever be refused.
        Assert.Contains(HttpStatusCode.Unauthorized, statuses);
        Assert.Contains(HttpStatusCode.TooManyRequests, statuses);
    }

    [Fact]
    public async Task A_flood_of_reads_is_limited()
    {
        var shop = fixture.Factory.ShopClient();

        var responses = await Task.WhenAll(Enumerable.Range(0, 30).Select(_ => shop.GetAsync("/api/v1/orders?pageSize=1")));

        output.WriteLine(string.Join(", ", responses.GroupBy(r => r.StatusCode).Select(g => $"{(int)g.Key}: {g.Count()}")));
        Assert.Contains(responses, r => r.StatusCode == HttpStatusCode.OK);
        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.NotEmpty(limited);
        Assert.All(limited, r => Assert.NotNull(r.Headers.RetryAfter));
    }
}
