using Hangfire;
using MicoPortal.Server.Alerts;
using MicoPortal.Server.Audit;
using MicoPortal.Server.Auth;
using MicoPortal.Server.Components;
using MicoPortal.Server.Data;
using MicoPortal.Server.Demo;
using MicoPortal.Server.Health;
using MicoPortal.Server.Incidents;
using MicoPortal.Server.Infrastructure;
using MicoPortal.Server.Metrics;
using MicoPortal.Server.Notifications;
using MicoPortal.Server.Orders;
using MicoPortal.Server.Providers;
using MicoPortal.Server.Providers.Sandbox;
using MicoPortal.Server.Realtime;
using MicoPortal.Server.Reconciliation;
using MicoPortal.Server.Telemetry;
using MicoPortal.Server.Verification;
using MicoPortal.Server.Webhooks;

namespace MicoPortal.Server.Extensions;

/// <summary>Composition of the portal: what Program.cs calls.</summary>
public static class PortalExtensions
{
    /// <summary>Each feature registers itself, with its options, hosted services and recurring jobs.</summary>
    public static WebApplicationBuilder AddPortalServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.TryAddSingletonTimeProvider();
        services.AddPortalApiConventions();
        services.AddPortalDatabase();
        services.AddPortalAuth(configuration);
        services.AddOrders();
        services.AddVerification(configuration);
        services.AddProviders(configuration, builder.Environment);
        services.AddAuditLedger(configuration);
        services.AddReconciliation(configuration);
        services.AddIncidents(configuration);
        services.AddAlerts(configuration);
        services.AddNotifications(configuration);
        services.AddWebhooks(configuration);
        services.AddDashboardMetrics(configuration);
        services.AddPortalTelemetry(configuration);
        services.AddRealtime(configuration);
        services.AddDemoTraffic(configuration);
        services.AddPortalHealthChecks();
        services.AddPortalOpenApi();
        services.AddPortalDataProtection(configuration);
        services.AddPortalProxyTrust(configuration);
        services.AddPortalRateLimiting(configuration);
        services.AddPortalPages();
        // Last: hosted services stop in reverse order, so the Hangfire server stops first and no sweep claims
        // work after the delivery pipeline, the intake writer or the alert dispatcher have stopped.
        services.AddBackgroundJobs();
        return builder;
    }

    public static async Task<WebApplication> UsePortalAsync(this WebApplication app)
    {
        await app.Services.MigratePortalDatabaseAsync();
        // The pause switches before any sweep runs: a restarted instance must not send to a paused provider.
        await app.Services.GetRequiredService<ProviderStates>().RefreshAsync(CancellationToken.None);

        // First: the client's address and scheme, from a trusted proxy only (ProxyTrust).
        app.UseForwardedHeaders();
        if (app.Environment.IsDevelopment())
        {
            app.UseWebAssemblyDebugging();
        }
        else
        {
            app.UseHsts();
            app.UseHttpsRedirection();
        }

        app.UseSecurityHeaders();

        app.UseExceptionHandler();
        // API paths answer problem details; pages fall back to the not-found page.
        app.UseWhen(c => IsMachinePath(c.Request.Path), api => api.UseStatusCodePages());
        app.UseWhen(c => !IsMachinePath(c.Request.Path), pages => pages.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
        app.UseAuthentication();
        app.UseShopApiKeyAuthentication();
        app.UseOriginCheck();
        // Before authorization, so refused requests (a wrong key) count too, by address.
        app.UseRateLimiter();
        app.UseAuthorization();
        app.UseAntiforgery();

        app.MapPortalHealthChecks();
        app.MapOrdersApi();
        app.MapCallbacksApi();
        app.MapProvidersApi();
        app.MapMetricsApi();
        app.MapPortalMetrics();
        app.MapAuthApi();
        app.MapShopApiKeysApi();
        app.MapUsersApi();
        app.MapAuditApi();
        app.MapReconciliationApi();
        app.MapIncidentsApi();
        app.MapNotificationsApi();
        app.MapWebhooksApi();
        app.MapPortalOpenApi();
        app.MapLogoutPage();
        app.MapOperationsHub();
        app.MapSandboxProvider();
        app.MapHangfireDashboard("/hangfire", new DashboardOptions { Authorization = [new HangfireAdminFilter()], DisplayStorageConnectionString = false });

        app.MapPortalPages();

        app.Services.ScheduleRecurringJobs();
        return app;
    }

    /// <summary>Machine paths, and the Hangfire dashboard (which draws its own pages), get status codes rather than the portal's pages.</summary>
    private static bool IsMachinePath(PathString path) => MachinePaths.Contains(path) || path.StartsWithSegments("/hangfire");

    private static void TryAddSingletonTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(s => s.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
