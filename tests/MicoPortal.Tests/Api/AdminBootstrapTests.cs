using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using MicoPortal.Shared.Auth;
using MicoPortal.Tests.Infrastructure;
using Xunit.Abstractions;

namespace MicoPortal.Tests.Api;

/// <summary>
/// Outside Development there is no built-in password: with no admin and no Bootstrap:AdminEmail the
/// portal writes a one-time secret (to an owner-only file, never the log) that creates the first admin, once.
/// </summary>
public partial class AdminBootstrapTests
{
    [Fact]
    public async Task Outside_development_the_first_admin_comes_from_a_one_time_secret()
    {
        var log = new RecordingOutput();
        await using var portal = new PortalFactory(PortalFactory.NewDataDirectory(), new Dictionary<string, string?>
        {
            ["Sandbox:Enabled"] = "true",
            ["Sandbox:ApiKey"] = "staging-provider-key",
            ["Sandbox:CallbackSecret"] = "staging-callback-secret",
            ["Provider:ApiKey"] = "staging-provider-key",
            ["Provider:CallbackSecret"] = "staging-callback-secret",
        }, log)
        { Environment = "Staging" };
        var client = portal.CreateClient();

        // No development users exist here.
        var devLogin = await client.PostAsJsonAsync("/api/v1/auth/login", new { email = PortalClient.Admin, password = PortalClient.Password });
        Assert.Equal(HttpStatusCode.Unauthorized, devLogin.StatusCode);
        // No development shop key either.
        client.DefaultRequestHeaders.Add("X-Api-Key", "dev-shop-key");
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("/api/v1/orders")).StatusCode);

        var logText = string.Join('\n', log.Lines);
        var secretFile = Path.Combine(portal.DataDirectory, "bootstrap-secret.txt");
        var secret = File.Exists(secretFile) ? (await File.ReadAllTextAsync(secretFile)).Trim() : "";
        Assert.True(SecretPattern().IsMatch(secret), "no bootstrap secret in " + secretFile + "; log:\n" + logText);
        const string email = "first-admin@example.com", password = "First-Admin-Passw0rd!";

        var wrong = await client.PostAsJsonAsync("/api/v1/auth/bootstrap", new BootstrapAdminRequest(new string('0', 64), email, password));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        var weak = await client.PostAsJsonAsync("/api/v1/auth/bootstrap", new BootstrapAdminRequest(secret, email, "weak"));
        Assert.Equal(HttpStatusCode.BadRequest, weak.StatusCode);

        var used = await client.PostAsJsonAsync("/api/v1/auth/bootstrap", new BootstrapAdminRequest(secret, email, password));
        Assert.Equal(HttpStatusCode.Created, used.StatusCode);
        var again = await client.PostAsJsonAsync("/api/v1/auth/bootstrap", new BootstrapAdminRequest(secret, "second@example.com", password));
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);

        var admin = await SignInAsync(portal, email, password);
        var me = await admin.GetFromJsonAsync<CurrentUserDto>("/api/v1/auth/me", PortalClient.Json);
        Assert.True(me!.IsAdmin);
    }

    /// <summary>
    /// Outside Development the auth cookie is Secure, which a cookie container keeps off plain HTTP; the test
    /// server speaks plain HTTP, so the cookie is carried by hand, as a TLS-terminating proxy would let it through.
    /// </summary>
    private static async Task<HttpClient> SignInAsync(PortalFactory portal, string email, string password)
    {
        var client = new HttpClient(new HttpClientHandler { UseCookies = false }) { BaseAddress = portal.RootUri };
        client.DefaultRequestHeaders.Add("Origin", PortalClient.OriginOf(portal.RootUri));
        var login = await client.PostAsJsonAsync("/api/v1/auth/login", new { email, password });
        login.EnsureSuccessStatusCode();
        var cookie = login.Headers.GetValues("Set-Cookie").Single(c => c.StartsWith("micoportal.auth=", StringComparison.Ordinal));
        client.DefaultRequestHeaders.Add("Cookie", cookie[..cookie.IndexOf(';')]);
        return client;
    }

    [GeneratedRegex("^[0-9a-f]{64}$")]
    private static partial Regex SecretPattern();

    private sealed class RecordingOutput : ITestOutputHelper
    {
        public ConcurrentQueue<string> Lines { get; } = new();

        public void WriteLine(string message) => Lines.Enqueue(message);

        public void WriteLine(string format, params object[] args) => Lines.Enqueue(string.Format(format, args));
    }
}
