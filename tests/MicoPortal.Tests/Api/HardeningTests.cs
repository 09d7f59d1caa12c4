using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using MicoPortal.Shared.Auth;
using MicoPortal.Shared.Common;
using MicoPortal.Shared.Orders;
using MicoPortal.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Api;

/// <summary>Issue 15 item 6: the smaller hardening findings, each against a running portal.</summary>
public partial class HardeningTests(ITestOutputHelper output)
{
    private static readonly Dictionary<string, string?> StagingSandbox = new()
    {
        ["Sandbox:Enabled"] = "true",
        ["Sandbox:ApiKey"] = "staging-provider-key",
        ["Sandbox:CallbackSecret"] = "staging-callback-secret",
        ["Provider:ApiKey"] = "staging-provider-key",
        ["Provider:CallbackSecret"] = "staging-callback-secret",
    };

    // a. The one-time bootstrap secret is an admin password: log sinks (files, shippers, docker logs) must never see it.
    [Fact]
    public async Task The_bootstrap_secret_never_reaches_the_log_and_waits_in_an_owner_only_file()
    {
        var log = new RecordingOutput();
        await using var portal = new PortalFactory(PortalFactory.NewDataDirectory(), StagingSandbox, log) { Environment = "Staging" };
        portal.StartServer();

        var logText = string.Join('\n', log.Lines);
        var file = Path.Combine(portal.DataDirectory, "bootstrap-secret.txt");
        Assert.True(File.Exists(file), "no bootstrap secret file; log:\n" + logText);
        Assert.DoesNotContain((await File.ReadAllTextAsync(file)).Trim(), logText);
        Assert.Contains(file, logText); // the log says where to look
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(file));
        }

        var secret = (await File.ReadAllTextAsync(file)).Trim();
        var client = portal.CreateClient();
        var used = await client.PostAsJsonAsync("/api/v1/auth/bootstrap", new BootstrapAdminRequest(secret, "first-admin@example.com", "First-Admin-Passw0rd!"));
        Assert.Equal(HttpStatusCode.Created, used.StatusCode);
        Assert.False(File.Exists(file), "a spent secret stays on disk");
    }

    // b. Outside Development the auth cookie never travels over plain HTTP.
    [Fact]
    public async Task Outside_development_the_auth_cookie_is_always_secure()
    {
        var settings = new Dictionary<string, string?>(StagingSandbox)
        {
            ["Bootstrap:AdminEmail"] = "boss@example.com",
            ["Bootstrap:AdminPassword"] = "Boss-Passw0rd-123!",
        };
        await using var portal = new PortalFactory(PortalFactory.NewDataDirectory(), settings, output) { Environment = "Staging" };
        var client = portal.CreateClient();

        var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = "boss@example.com", password = "Boss-Passw0rd-123!" });

        Assert.Equal(HttpStatusCode.NoContent, login.StatusCode);
        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("micoportal.auth=", StringComparison.Ordinal));
        Assert.Contains("; secure", cookie, StringComparison.OrdinalIgnoreCase);
    }

    // h. Demo traffic places real orders: never against anything but the sandbox.
    [Fact]
    public async Task Demo_traffic_refuses_to_start_against_a_provider_that_is_not_the_sandbox()
    {
        await using var portal = new PortalFactory(PortalFactory.NewDataDirectory(), new Dictionary<string, string?>
        {
            ["Demo:OrdersPerSecond"] = "2",
            ["Provider:BaseUrl"] = "https://provider.example.com/",
        }, output);

        var error = Record.Exception(portal.StartServer);

        Assert.NotNull(error);
        Assert.Contains("Demo:OrdersPerSecond", error.ToString());
    }

    // f. /metrics: loopback, the configured scrape networks and signed-in admins; 403 for everyone else.
    [Fact]
    public async Task Metrics_answer_loopback_scrape_networks_and_admins_and_refuse_everyone_else()
    {
        await using var portal = new PortalFactory(PortalFactory.NewDataDirectory(), new Dictionary<string, string?>
        {
            ["Metrics:ScrapeNetworks:0"] = "10.20.0.0/16",
            ["Metrics:ScrapeNetworks:1"] = "fd00::/8",
        }, output)
        { TestServices = TestPeer.Add };
        var anonymous = portal.CreateClient();
        var (ops, _) = await portal.SignInAsync(PortalClient.Operations);
        var (admin, _) = await portal.SignInAsync(PortalClient.Admin);

        Assert.Equal(HttpStatusCode.OK, (await anonymous.GetAsync("/metrics")).StatusCode); // loopback
        Assert.Equal(HttpStatusCode.OK, (await Scrape(anonymous, "10.20.3.4")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Scrape(anonymous, "fd12::1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await Scrape(admin, "203.0.113.7")).StatusCode);

        // The test client reaches Kestrel from loopback, a trusted proxy: a loopback it forwards is a client's claim.
        using var claimed = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        claimed.Headers.Add("X-Forwarded-For", "127.0.0.1");
        Assert.Equal(HttpStatusCode.Forbidden, (await anonymous.SendAsync(claimed)).StatusCode);

        foreach (var (client, from) in new[] { (anonymous, "203.0.113.7"), (anonymous, "10.21.0.1"), (ops, "203.0.113.7") })
        {
            var refused = await Scrape(client, from);
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal(ErrorCodes.Forbidden, (await refused.ReadAsync<JsonElement>()).GetProperty("code").GetString());
            Assert.DoesNotContain("micoportal_", await refused.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task A_scrape_network_that_is_not_a_network_stops_start_up()
    {
        await using var portal = new PortalFactory(PortalFactory.NewDataDirectory(), new Dictionary<string, string?>
        {
            ["Metrics:ScrapeNetworks:0"] = "10.0.0.300/8",
        }, output);

        var error = Record.Exception(portal.StartServer);

        Assert.NotNull(error);
        Assert.Contains("Metrics:ScrapeNetworks", error.ToString());
    }

    // c. No inline script runs unless the server put it there: a per-response nonce instead of 'unsafe-inline'.
    [Fact]
    public async Task The_content_security_policy_allows_no_inline_script_but_the_pages_own()
    {
        await using var portal = new PortalFactory(PortalFactory.NewDataDirectory(), output: output);
        var client = portal.CreateClient();
        var (admin, _) = await portal.SignInAsync(PortalClient.Admin);
        var nonces = new List<string>();

        foreach (var (who, path) in new[] { (client, "/login"), (admin, "/"), (admin, "/orders") })
        {
            var response = await who.GetAsync(path);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            var csp = response.Headers.GetValues("Content-Security-Policy").Single();
            var scriptSrc = csp.Split(';').Select(d => d.Trim()).Single(d => d.StartsWith("script-src ", StringComparison.Ordinal));
            Assert.DoesNotContain("'unsafe-inline'", scriptSrc);
            Assert.DoesNotContain("'unsafe-eval'", scriptSrc);
            Assert.Contains("'wasm-unsafe-eval'", scriptSrc);
            var nonce = NonceSource().Match(scriptSrc);
            Assert.True(nonce.Success, $"{path}: no nonce in {scriptSrc}");
            nonces.Add(nonce.Groups[1].Value);

            var html = await response.Content.ReadAsStringAsync();
            var inline = InlineScript().Matches(html).Select(m => m.Value).ToList();
            Assert.NotEmpty(inline); // Blazor's import map: the page has an inline script, and it carries the nonce
            Assert.All(inline, tag => Assert.Contains($"nonce=\"{nonce.Groups[1].Value}\"", tag));
        }

        Assert.Equal(nonces.Count, nonces.Distinct().Count());
    }

    // d. Shops and Operations see customers' phones and operators' e-mails masked; admins see them whole.
    [Fact]
    public async Task Shops_and_operations_see_masked_phones_and_operator_emails_and_admins_the_full_values()
    {
        await using var portal = new PortalFactory(PortalFactory.NewDataDirectory(), output: output);
        var shop = portal.ShopClient();
        var (ops, _) = await portal.SignInAsync(PortalClient.Operations);
        var (admin, _) = await portal.SignInAsync(PortalClient.Admin);

        var created = await shop.PostAsJsonAsync("/api/v1/orders", PortalClient.NewOrder() with { CustomerPhone = "+447700900123" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var order = await created.ReadAsync<OrderDto>();
        Assert.Equal("+44*******123", order.CustomerPhone);

        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/api/v1/orders/{order.Id}/reverify", null)).StatusCode);
        Assert.True(await PortalClient.EventuallyAsync(async () =>
            (await admin.GetFromJsonAsync<OrderDto>($"/api/v1/orders/{order.Id}", PortalClient.Json))!.Attempts.Any(a => a.Actor is not null), TimeSpan.FromSeconds(20)));

        var full = (await admin.GetFromJsonAsync<OrderDto>($"/api/v1/orders/{order.Id}", PortalClient.Json))!;
        Assert.Equal("+447700900123", full.CustomerPhone);
        Assert.Contains(full.Attempts, a => a.Actor == PortalClient.Admin);

        foreach (var reader in new[] { shop, ops })
        {
            var seen = (await reader.GetFromJsonAsync<OrderDto>($"/api/v1/orders/{order.Id}", PortalClient.Json))!;
            Assert.Equal("+44*******123", seen.CustomerPhone);
            Assert.Contains(seen.Attempts, a => a.Actor == "a***@micoportal.local");
            Assert.DoesNotContain(seen.Attempts, a => a.Actor == PortalClient.Admin);
        }

        var raw = await ops.GetStringAsync($"/api/v1/orders/{order.Id}");
        Assert.DoesNotContain("7700900", raw);
        Assert.DoesNotContain(PortalClient.Admin, raw);
    }

    // g. A dashboard whose user is demoted or deleted loses its live connection within the check interval.
    [Fact]
    public async Task A_demoted_or_deleted_users_hub_connection_is_closed_within_the_check_interval()
    {
        await using var portal = new PortalFactory(PortalFactory.NewDataDirectory(), new Dictionary<string, string?>
        {
            ["Realtime:SessionCheckInterval"] = "00:00:00.200",
        }, output);
        var (admin, _) = await portal.SignInAsync(PortalClient.Admin);
        var boss = await CreateUserAsync(admin, "second-admin@example.com", Roles.Admin);
        var temp = await CreateUserAsync(admin, "temp-ops@example.com", Roles.Operations);
        var bossHub = await ConnectAsync(portal, await SignInCookiesAsync(portal, boss.Email));
        var tempHub = await ConnectAsync(portal, await SignInCookiesAsync(portal, temp.Email));
        var (_, opsCookies) = await portal.SignInAsync(PortalClient.Operations);
        var bystander = await ConnectAsync(portal, opsCookies);
        var bossClosed = Closed(bossHub);
        var tempClosed = Closed(tempHub);

        Assert.Equal(HttpStatusCode.NoContent, (await admin.PutAsJsonAsync($"/api/v1/admin/users/{boss.Id}/role", new ChangeUserRoleRequest(Roles.Operations))).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.DeleteAsync($"/api/v1/admin/users/{temp.Id}")).StatusCode);

        Assert.Same(bossClosed, await Task.WhenAny(bossClosed, Task.Delay(TimeSpan.FromSeconds(15))));
        Assert.Same(tempClosed, await Task.WhenAny(tempClosed, Task.Delay(TimeSpan.FromSeconds(15))));
        // Others stay connected.
        Assert.Equal(HubConnectionState.Connected, bystander.State);
        await bystander.DisposeAsync();
    }

    private static async Task<CookieContainer> SignInCookiesAsync(PortalFactory portal, string email)
    {
        var cookies = new CookieContainer();
        var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = portal.RootUri };
        client.DefaultRequestHeaders.Add("Origin", PortalClient.OriginOf(portal.RootUri));
        (await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password = "Temp-Passw0rd-123!" })).EnsureSuccessStatusCode();
        return cookies;
    }

    private static async Task<PortalUserDto> CreateUserAsync(HttpClient admin, string email, string role)
    {
        var response = await admin.PostAsJsonAsync("/api/v1/admin/users", new CreateUserRequest(email, "Temp-Passw0rd-123!", role));
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return await response.ReadAsync<PortalUserDto>();
    }

    private static async Task<HubConnection> ConnectAsync(PortalFactory portal, CookieContainer cookies)
    {
        var hub = new HubConnectionBuilder()
            .WithUrl(new Uri(portal.RootUri, "/hubs/operations"), o => { o.Cookies = cookies; o.Headers["Origin"] = PortalClient.OriginOf(portal.RootUri); })
            .Build();
        await hub.StartAsync();
        return hub;
    }

    private static Task Closed(HubConnection hub)
    {
        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        hub.Closed += _ =>
        {
            closed.TrySetResult();
            return Task.CompletedTask;
        };
        return closed.Task;
    }

    private static Task<HttpResponseMessage> Scrape(HttpClient client, string from)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        request.Headers.Add(TestPeer.Header, from);
        return client.SendAsync(request);
    }

    [GeneratedRegex("'nonce-([A-Za-z0-9+/=_-]+)'")]
    private static partial Regex NonceSource();

    /// <summary>Opening tags of script elements without a src attribute (inline scripts, import maps).</summary>
    [GeneratedRegex("<script(?![^>]*\\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    private sealed class RecordingOutput : ITestOutputHelper
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public void WriteLine(string message) => Lines.Enqueue(message);

        public void WriteLine(string format, params object[] args) => Lines.Enqueue(string.Format(format, args));
    }
}
