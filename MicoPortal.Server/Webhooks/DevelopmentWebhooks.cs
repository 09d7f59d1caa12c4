using MicoPortal.Server.Data;
using MicoPortal.Server.Demo;
using MicoPortal.Server.Infrastructure;
using MicoPortal.Server.Providers.Sandbox;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Webhooks;

/// <summary>
/// A fresh development run (<c>dotnet run</c>: Development, the sandbox and demo traffic on) shows webhook
/// deliveries at once: the development shop (<c>dev-shop</c>, whose key is in appsettings.Development.json) and
/// the demo traffic's shop (<c>demo</c>) get an endpoint at the built-in receiver, unless they have one already.
/// Runs without demo traffic (tests, benchmarks) are left without webhooks: they set their own.
/// </summary>
public sealed class DevelopmentWebhooks(
    IServiceProvider services,
    IHostEnvironment environment,
    IHostApplicationLifetime lifetime,
    IOptions<SandboxOptions> sandbox,
    IOptions<DemoOptions> demo,
    ILogger<DevelopmentWebhooks> logger) : IHostedService
{
    public static readonly string[] Shops = ["dev-shop", "demo"];

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (environment.IsDevelopment() && sandbox.Value.Enabled && demo.Value.OrdersPerSecond > 0)
        {
            // The receiver's address is the portal's own, known once Kestrel listens.
            lifetime.ApplicationStarted.Register(() => _ = SetUpAsync());
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task SetUpAsync()
    {
        try
        {
            var root = services.GetRequiredService<PortalAddress>().Root;
            var secrets = services.GetRequiredService<WebhookSecrets>();
            var now = services.GetRequiredService<TimeProvider>().GetUtcNow();
            await using var db = await services.GetRequiredService<IDbContextFactory<PortalDbContext>>().CreateDbContextAsync(lifetime.ApplicationStopping);
            var existing = await db.ShopWebhooks.Select(w => w.Shop).ToListAsync(lifetime.ApplicationStopping);
            foreach (var shop in Shops.Except(existing))
            {
                var url = new Uri(root, $"{SandboxWebhookReceiver.BasePath.TrimStart('/')}/{shop}").ToString();
                db.ShopWebhooks.Add(new ShopWebhook
                {
                    Shop = shop,
                    Url = url,
                    ProtectedSecret = secrets.Protect(WebhookSecrets.New()),
                    CreatedAt = now,
                    UpdatedAt = now,
                    UpdatedBy = "system:development",
                });
                logger.LogInformation("Development: shop {Shop} sends its webhooks to the built-in receiver at {Url}", shop, url);
            }

            await db.SaveChangesAsync(lifetime.ApplicationStopping);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Development webhooks could not be set up");
        }
        catch (OperationCanceledException)
        {
        }
    }
}
