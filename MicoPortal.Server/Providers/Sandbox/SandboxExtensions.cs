using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Providers.Sandbox;

/// <summary>Entry points of the built-in sandbox provider (docs/api.md section 5).</summary>
public static class SandboxExtensions
{
    /// <summary>
    /// Registers the sandbox: options from section <c>Sandbox</c> (validated at start), the
    /// <see cref="SandboxLedger"/> singleton and the callback sender. Safe to call when the sandbox
    /// is disabled: then nothing is mapped and the sender exits at once.
    /// </summary>
    public static IServiceCollection AddSandboxProvider(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SandboxOptions>()
            .Bind(configuration.GetSection(SandboxOptions.SectionName))
            .ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SandboxOptions>, SandboxOptionsValidator>());
        services.TryAddSingleton<SandboxFaultOverride>();
        services.AddSingleton<IPostConfigureOptions<SandboxOptions>>(sp => sp.GetRequiredService<SandboxFaultOverride>());

        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<SandboxLedger>();

        services.AddHttpClient(SandboxCallbackDispatcher.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        services.AddHostedService<SandboxCallbackDispatcher>();
        return services;
    }

    /// <summary>
    /// Maps <c>/sandbox/provider/v1/...</c> (the provider API) and <c>/sandbox/admin/faults</c>,
    /// both behind the sandbox's Bearer key, when <c>Sandbox:Enabled</c> is true.
    /// </summary>
    public static IEndpointRouteBuilder MapSandboxProvider(this IEndpointRouteBuilder endpoints)
    {
        var options = endpoints.ServiceProvider.GetRequiredService<IOptions<SandboxOptions>>().Value;
        if (options.Enabled)
        {
            endpoints.MapProviderApi();
        }

        return endpoints;
    }
}
