using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using MicoPortal.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Api;

/// <summary>
/// Forwarded headers and sign-in throttling (issue 15 item 4): <c>X-Forwarded-For</c> counts only from a
/// configured proxy (loopback by default), sign-in is throttled per address and per account, and the JSON
/// sign-in and the login page's form share one limiter.
/// </summary>
public partial class ProxyTrustTests(ITestOutputHelper output)
{
    private const string UntrustedPeer = "203.0.113.7";

    /// <summary>The forwarded-headers settings docker-compose.yml gives the portal, resolved with .env.example.</summary>
    private static async Task<Dictionary<string, string?>> ComposeForwardingSettingsAsync()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "MicoPortal.sln")))
        {
            directory = directory.Parent;
        }

        var info = new ProcessStartInfo("docker-compose") { WorkingDirectory = directory!.FullName, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var argument in new[] { "--env-file", ".env.example", "config" })
        {
            info.ArgumentList.Add(argument);
        }

        using var process = Process.Start(info)!;
        var text = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
        var settings = new Dictionary<string, string?>();
        foreach (Match match in ForwardingLine().Matches(text))
        {
            // Environment names as ASP.NET Core reads them: ASPNETCORE_ prefix dropped, "__" is ":".
            var key = match.Groups[1].Value.Replace("ASPNETCORE_", "", StringComparison.Ordinal).Replace("__", ":", StringComparison.Ordinal);
            settings[key] = match.Groups[2].Value.Trim().Trim('"', '\'');
        }

        return settings;
    }

    [GeneratedRegex(@"^\s+((?:ASPNETCORE_)?FORWARDEDHEADERS_ENABLED|ForwardedHeaders__\w+):[ \t]*(.*)$", RegexOptions.Multiline)]
    private static partial Regex ForwardingLine();

    private static PortalFactory Portal(Dictionary<string, string?> settings) =>
        new(PortalFactory.NewDataDirectory(), settings) { TestServices = TestPeer.Add };

    private static async Task<HttpStatusCode> LoginAsync(HttpClient client, string email, string peer, string? forwardedFor = null, string password = "not-the-password")
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v1/auth/login") { Content = JsonContent.Create(new { email, password }) };
        request.Headers.Add(TestPeer.Header, peer);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        using var response = await client.SendAsync(request);
        return response.StatusCode;
    }

    [Fact]
    public async Task As_deployed_by_compose_a_spoofed_X_Forwarded_For_from_an_untrusted_peer_gets_no_fresh_login_bucket()
    {
        var settings = await ComposeForwardingSettingsAsync();
        output.WriteLine("compose: " + string.Join(", ", settings.Select(kv => $"{kv.Key}={kv.Value}")));
        settings["RateLimiting:LoginPerMinute"] = "3";
        await using var portal = Portal(settings);
        var client = portal.CreateClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            // A new made-up client address and account every time: only the address bucket can refuse.
            statuses.Add(await LoginAsync(client, $"spoof-{i}@example.com", UntrustedPeer, $"198.51.100.{i + 1}"));
        }

        output.WriteLine(string.Join(", ", statuses.Select(s => (int)s)));
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized], statuses.Take(3));
        Assert.All(statuses.Skip(3), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
    }

    [Fact]
    public async Task Behind_a_configured_proxy_each_client_address_has_its_own_bucket()
    {
        await using var portal = Portal(new Dictionary<string, string?>
        {
            ["RateLimiting:LoginPerMinute"] = "3",
            ["ForwardedHeaders:KnownProxies:0"] = UntrustedPeer,
        });
        var client = portal.CreateClient();

        var distinctClients = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            distinctClients.Add(await LoginAsync(client, $"client-{i}@example.com", UntrustedPeer, $"198.51.100.{i + 1}"));
        }

        var oneClient = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++)
        {
            oneClient.Add(await LoginAsync(client, $"same-{i}@example.com", UntrustedPeer, "198.51.100.200"));
        }

        Assert.All(distinctClients, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.TooManyRequests, HttpStatusCode.TooManyRequests], oneClient);
    }

    [Theory]
    [InlineData("ForwardedHeaders:KnownProxies:0", "not-an-address")]
    [InlineData("ForwardedHeaders:KnownNetworks:0", "10.0.0.0/99")]
    [InlineData("FORWARDEDHEADERS_ENABLED", "true")]
    public async Task Forwarding_settings_are_validated_at_start_up(string key, string value)
    {
        await using var portal = Portal(new Dictionary<string, string?> { [key] = value });

        var failure = Assert.ThrowsAny<Exception>(() => portal.StartServer());

        output.WriteLine(failure.Message);
        Assert.Contains("Forwarded", failure.ToString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Sign_in_is_throttled_per_account_across_client_addresses()
    {
        await using var portal = Portal(new Dictionary<string, string?>
        {
            ["RateLimiting:LoginPerMinute"] = "1000",
            ["RateLimiting:LoginPerAccountPerMinute"] = "3",
        });
        var client = portal.CreateClient();
        string[] spellings = ["victim@example.com", " Victim@Example.com", "VICTIM@EXAMPLE.COM ", "victim@example.com", "Victim@example.com", "victim@EXAMPLE.com"];

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < spellings.Length; i++)
        {
            statuses.Add(await LoginAsync(client, spellings[i], $"203.0.113.{20 + i}"));
        }

        var other = await LoginAsync(client, "someone-else@example.com", "203.0.113.99");

        output.WriteLine(string.Join(", ", statuses.Select(s => (int)s)));
        Assert.Equal([HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized, HttpStatusCode.Unauthorized], statuses.Take(3));
        Assert.All(statuses.Skip(3), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));
        Assert.Equal(HttpStatusCode.Unauthorized, other);
    }

    [Fact]
    public async Task Successful_sign_ins_never_use_up_the_account_so_nobody_can_keep_its_owner_out()
    {
        await using var portal = Portal(new Dictionary<string, string?>
        {
            ["RateLimiting:LoginPerMinute"] = "1000",
            ["RateLimiting:LoginPerAccountPerMinute"] = "3",
        });
        var client = portal.CreateClient();

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 6; i++)
        {
            statuses.Add(await LoginAsync(client, PortalClient.Admin, $"203.0.113.{40 + i}", password: PortalClient.Password));
        }

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.NoContent, s));
    }

    [Fact]
    public async Task The_login_api_and_the_login_page_share_one_limiter()
    {
        await using var portal = Portal(new Dictionary<string, string?>
        {
            ["RateLimiting:LoginPerMinute"] = "3",
        });
        var cookies = new CookieContainer();
        var client = new HttpClient(new HttpClientHandler { CookieContainer = cookies, AllowAutoRedirect = false }) { BaseAddress = portal.RootUri };
        client.DefaultRequestHeaders.Add(TestPeer.Header, "203.0.113.50");

        var api1 = await LoginAsync(client, "a1@example.com", "203.0.113.50");
        var api2 = await LoginAsync(client, "a2@example.com", "203.0.113.50");
        var page1 = await PostLoginPageAsync(client, "p1@example.com");
        var page2 = await PostLoginPageAsync(client, "p2@example.com");
        output.WriteLine($"api {(int)api1} {(int)api2}, page {(int)page1.Status} {(int)page2.Status}");

        Assert.Equal(HttpStatusCode.Unauthorized, api1);
        Assert.Equal(HttpStatusCode.Unauthorized, api2);
        Assert.Equal(HttpStatusCode.OK, page1.Status);
        Assert.Contains("The email or password is not correct.", page1.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.TooManyRequests, page2.Status);
        Assert.Equal(HttpStatusCode.TooManyRequests, await LoginAsync(client, "a3@example.com", "203.0.113.50"));
    }

    /// <summary>The login page's own form post, with its antiforgery token, as a browser sends it.</summary>
    private static async Task<(HttpStatusCode Status, string Body)> PostLoginPageAsync(HttpClient client, string email)
    {
        var page = await client.GetStringAsync("/login");
        var token = AntiforgeryToken().Match(page).Groups[1].Value;
        Assert.False(string.IsNullOrEmpty(token), "no antiforgery token on /login");
        using var form = new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["_handler"] = "login",
            ["__RequestVerificationToken"] = WebUtility.HtmlDecode(token),
            ["Input.Email"] = email,
            ["Input.Password"] = "not-the-password",
        });
        using var response = await client.PostAsync("/login", form);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]+)\"")]
    private static partial Regex AntiforgeryToken();
}
