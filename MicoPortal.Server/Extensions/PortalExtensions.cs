using System.Text.Json.Serialization;
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
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Extensions;

/// <summary>Composition of the portal: what Program.cs calls.</summary>
public static class PortalExtensions
{
    public static WebApplicationBuilder AddPortalServices(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        services.TryAddSingletonTimeProvider();
        services.Configure<JsonOptions>(o => o.SerializerOptions.Converters.Add(new JsonStringEnumConverter()));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = false);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = context =>
        {
            var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
            context.ProblemDetails.Extensions.TryAdd("code", Problems.CodeFor(status));
        });

        services.AddOptions<VerificationOptions>().Bind(configuration.GetSection(VerificationOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<DemoOptions>().Bind(configuration.GetSection(DemoOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<DemoOptions>>(new DemoOptionsValidation(configuration));
        services.AddOptions<ShopApiKeyOptions>().Bind(configuration.GetSection(ShopApiKeyOptions.Section));

        services.AddPortalDatabase();
        services.AddAuditLedger(configuration);
        services.AddReconciliation(configuration);
        services.AddIncidents(configuration);
        services.AddAlerts(configuration);
        services.AddNotifications(configuration);
        services.AddWebhooks(configuration);

        // Orders and their verification.
        services.AddSingleton<OrderChangeFeed>();
        services.AddSingleton<VerificationPolicy>();
        services.AddSingleton<OrderTransitions>();
        services.AddSingleton<CallbackBatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<CallbackBatcher>());
        services.AddSingleton<OrderClaims>();
        services.AddSingleton<OrderIntakeWriter>();
        services.AddHostedService(sp => sp.GetRequiredService<OrderIntakeWriter>());
        services.AddSingleton<OrderIntake>();
        services.AddSingleton<OrderQueries>();
        services.AddSingleton<OrderActions>();
        services.AddSingleton<DeliveryPipeline>();
        services.AddHostedService(sp => sp.GetRequiredService<DeliveryPipeline>());
        services.AddSingleton<DispatchSweep>();
        services.AddSingleton<VerifySweep>();
        services.AddSingleton<StuckSweep>();
        services.AddSingleton<SweepLocks>();
        services.AddSingleton<SweepSignals>();
        services.AddTransient<SweepJobs>();
        services.AddSingleton<ShopApiKeyStore>();
        services.AddSingleton<AdminBootstrap>();

        // The upstream providers.
        services.AddSingleton<PortalAddress>();
        ProviderCatalog.AddProviders(services, configuration, builder.Environment);
        services.AddSingleton<ProviderStates>();
        services.AddHostedService<ProviderMonitor>();
        services.AddSandboxProvider(configuration);

        // Background work: Hangfire sweeps; every durable fact lives in our tables, so in-memory job storage loses
        // nothing on SQLite; SQL Server and PostgreSQL share durable storage between instances (ScaleOut).
        // Storage and activator are this host's own instances, not Hangfire's process-wide statics, so
        // several hosts in one process (tests) never share or dispose each other's.
        services.AddSingleton<JobStorage>(sp => ScaleOut.CreateJobStorage(sp.GetRequiredService<IConfiguration>()));
        services.AddSingleton<JobActivator>(sp => new Hangfire.AspNetCore.AspNetCoreJobActivator(sp.GetRequiredService<IServiceScopeFactory>()));
        services.AddHangfire((sp, c) => c
            .UseLogProvider(new DisposalTolerantHangfireLogProvider(sp.GetRequiredService<ILoggerFactory>()))
            .SetDataCompatibilityLevel(CompatibilityLevel.Version_180)
            .UseSimpleAssemblyNameTypeSerializer()
            .UseRecommendedSerializerSettings());
        services.AddHangfireServer(o =>
        {
            o.WorkerCount = 8;
            o.SchedulePollingInterval = TimeSpan.FromSeconds(1);
        });
        services.AddHostedService<DemoTrafficGenerator>();

        // Live dashboard: rollups for the numbers, SignalR for the push.
        services.AddSingleton<MetricsRecorder>();
        services.AddPortalTelemetry(configuration);
        services.AddOptions<MetricsOptions>().Bind(configuration.GetSection(MetricsOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<MetricsOptions>, MetricsOptionsValidation>();
        services.AddSingleton<MetricsScrapeFilter>();
        services.AddSingleton<MetricsQueries>();
        services.AddHostedService<MetricsRollupWriter>();
        services.AddSingleton<HubConnections>();
        services.AddOptions<RealtimeOptions>().Bind(configuration.GetSection(RealtimeOptions.Section))
            .Validate(o => o.SessionCheckInterval > TimeSpan.Zero, "Realtime:SessionCheckInterval must be positive.").ValidateOnStart();
        services.AddSingleton<HubSessions>();
        services.AddHostedService<HubSessionChecker>();
        // Enum names on the hub, as on the REST API ("Delivered", not 3).
        services.AddSignalR().AddJsonProtocol(o => o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter()))
            .AddPortalBackplane(configuration);
        services.AddOptions<RedisOptions>().Bind(configuration.GetSection(RedisOptions.Section));
        services.AddHostedService<OperationsBroadcaster>();

        services.AddHealthChecks()
            .AddCheck<DatabaseHealthCheck>("database", tags: ["ready"])
            .AddCheck<JobStorageHealthCheck>("jobs", tags: ["ready"]);

        services.AddPortalOpenApi();
        services.AddPortalDataProtection(configuration);
        services.AddPortalAuth();
        services.AddPortalProxyTrust(configuration);
        services.AddPortalRateLimiting(configuration);
        services.AddRazorComponents()
            .AddInteractiveWebAssemblyComponents()
            .AddAuthenticationStateSerialization(o => o.SerializeAllClaims = true);
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

        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = HealthResponse.WriteAsync });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains("ready"), ResponseWriter = HealthResponse.WriteAsync });
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
        // A connection ends when its cookie expires, not only when the user closes the tab (docs/api.md section 3).
        app.MapHub<OperationsHub>(OperationsHub.Route, o => o.CloseOnAuthenticationExpiration = true).RequireAuthorization(Policies.Operator);
        app.MapSandboxProvider();
        app.MapHangfireDashboard("/hangfire", new DashboardOptions { Authorization = [new HangfireAdminFilter()], DisplayStorageConnectionString = false });

        app.MapStaticAssets();
        app.MapRazorComponents<App>()
            .AddInteractiveWebAssemblyRenderMode()
            .AddAdditionalAssemblies(typeof(Client._Imports).Assembly);

        SweepJobs.Schedule(app.Services.GetRequiredService<IRecurringJobManager>(), app.Services.GetRequiredService<IOptions<VerificationOptions>>().Value.Enabled);
        AuditSealer.Schedule(app.Services.GetRequiredService<IRecurringJobManager>());
        ReconciliationJob.Schedule(app.Services.GetRequiredService<IRecurringJobManager>());
        IncidentJob.Schedule(app.Services.GetRequiredService<IRecurringJobManager>(), app.Services.GetRequiredService<IOptions<IncidentOptions>>().Value);
        NotificationSender.Schedule(app.Services.GetRequiredService<IRecurringJobManager>(), app.Services.GetRequiredService<IOptions<NotificationOptions>>().Value.SendsNotifications());
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
