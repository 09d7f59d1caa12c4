using MicoPortal.Server.Infrastructure;
using MicoPortal.Server.Providers.Sandbox;

namespace MicoPortal.Server.Providers;

public static class ProviderExtensions
{
    /// <summary>
    /// The upstream providers (docs/api.md section 8): a client, limiter and health per configured provider, their
    /// pause switches and balances, and the built-in sandbox provider where it is enabled.
    /// </summary>
    public static IServiceCollection AddProviders(this IServiceCollection services, IConfiguration configuration, IHostEnvironment environment)
    {
        services.AddSingleton<PortalAddress>();
        ProviderCatalog.AddProviderClients(services, configuration, environment);
        services.AddSingleton<ProviderStates>();
        services.AddHostedService<ProviderMonitor>();
        services.AddSandboxProvider(configuration);
        return services;
    }
}
