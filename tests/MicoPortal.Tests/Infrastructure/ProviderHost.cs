using MicoPortal.Server.Providers.Sandbox;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace MicoPortal.Tests.Infrastructure;

/// <summary>
/// The sandbox provider as a separate server on real time, the way a real provider sits outside
/// the portal: it keeps its state while the portal restarts, and tests read its ground truth.
/// </summary>
public sealed class ProviderHost : IAsyncDisposable
{
    public const string ApiKey = "it-provider-key";
    public const string Secret = "it-callback-secret";

    private readonly WebApplication _app;

    private ProviderHost(WebApplication app)
    {
        _app = app;
        Ledger = app.Services.GetRequiredService<SandboxLedger>();
        BaseUrl = app.Urls.First().TrimEnd('/') + "/sandbox/provider";
    }

    public SandboxLedger Ledger { get; }

    public string BaseUrl { get; }

    public static async Task<ProviderHost> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Testing" });
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var config = new Dictionary<string, string?>
        {
            ["Sandbox:Enabled"] = "true",
            ["Sandbox:ApiKey"] = ApiKey,
            ["Sandbox:CallbackSecret"] = Secret,
            ["Sandbox:LatencyMs"] = "5",
            ["Sandbox:LatencyJitterMs"] = "5",
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        builder.Services.AddSandboxProvider(builder.Configuration);
        var app = builder.Build();
        app.MapSandboxProvider();
        await app.StartAsync();
        return new ProviderHost(app);
    }

    /// <summary>Portal settings that point it at this provider instead of its built-in sandbox.</summary>
    public Dictionary<string, string?> PortalSettings() => new()
    {
        ["Sandbox:Enabled"] = "false",
        ["Provider:BaseUrl"] = BaseUrl,
        ["Provider:ApiKey"] = ApiKey,
        ["Provider:CallbackSecret"] = Secret,
    };

    /// <summary>
    /// Portal settings for two providers: this one as <c>default</c> (tried first) and <paramref name="second"/> as
    /// <paramref name="name"/> at priority 200.
    /// </summary>
    public Dictionary<string, string?> PortalSettingsWith(ProviderHost second, string name = "b")
    {
        var settings = PortalSettings();
        settings[$"Providers:{name}:BaseUrl"] = second.BaseUrl;
        settings[$"Providers:{name}:ApiKey"] = ApiKey;
        settings[$"Providers:{name}:CallbackSecret"] = Secret;
        settings[$"Providers:{name}:Priority"] = "200";
        return settings;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
