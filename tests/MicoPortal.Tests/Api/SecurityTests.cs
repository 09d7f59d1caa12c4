using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using MicoPortal.Shared.Common;
using MicoPortal.Tests.Infrastructure;

namespace MicoPortal.Tests.Api;

public sealed class TightLimitsFixture : IAsyncLifetime
{
    public PortalFactory Factory { get; } = new(PortalFactory.NewDataDirectory(), new Dictionary<string, string?>
    {
        ["RateLimiting:LoginPerMinute"] = "3",
        ["RateLimiting:IntakePerSecond"] = "5",
    });

    public Task InitializeAsync()
    {
        Factory.StartServer();
        return Task.CompletedTask;
    }

    public async Task DisposeAsync() => await Factory.DisposeAsync();
}

public class SecurityTests(TightLimitsFixture fixture) : IClassFixture<TightLimitsFixture>
{
    [Fact]
    public async Task Repeated_sign_in_attempts_are_rate_limited_with_retry_after()
    {
        var client = fixture.Factory.CreateClient();
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            statuses.Add((await client.PostAsJsonAsync("/api/v1/auth/login", new { email = PortalClient.Admin, password = "wrong-password" })).StatusCode);
        }

        var refused = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = PortalClient.Admin, password = PortalClient.Password });

        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized], statuses.Take(3));
        Assert.All(statuses.Skip(3), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal(ErrorCodes.RateLimited, (await refused.ReadAsync<JsonElement>()).GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_shop_flooding_intake_gets_429_and_loses_nothing_it_was_told_was_accepted()
    {
        var shop = fixture.Factory.ShopClient();
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => shop.PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder())));

        var created = responses.Count(r => r.StatusCode == HttpStatusCode.Created);
        var limited = responses.Where(r => r.StatusCode == HttpStatusCode.TooManyRequests).ToList();
        Assert.InRange(created, 1, 10);
        Assert.NotEmpty(limited);
        Assert.All(limited, r => Assert.NotNull(r.Headers.RetryAfter));
        Assert.Equal(created, await fixture.Factory.WithDbAsync(db => System.Threading.Tasks.Task.FromResult(db.Orders.Count())));
    }

    [Fact]
    public async Task Pages_and_apis_carry_security_headers()
    {
        var client = fixture.Factory.CreateClient();

        var page = await client.GetAsync("/login");
        var api = await client.GetAsync("/health/live");

        foreach (var response in new[] { page, api })
        {
            Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
            Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
            var csp = response.Headers.GetValues("Content-Security-Policy").Single();
            Assert.Contains("frame-ancestors 'none'", csp, StringComparison.Ordinal);
            Assert.Contains("'wasm-unsafe-eval'", csp, StringComparison.Ordinal);
        }
    }
}
