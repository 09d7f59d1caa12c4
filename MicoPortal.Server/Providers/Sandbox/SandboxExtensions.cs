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
        services.TryAddSingleton(NewLedger);

        // The instances are read here, not from the options, because each needs its own registration;
        // names are checked by the options validator at start.
        var extra = configuration.GetSection($"{SandboxOptions.SectionName}:{nameof(SandboxOptions.Instances)}").Get<string[]>() ?? [];
        var names = extra.Where(n => !string.IsNullOrEmpty(n) && n != SandboxInstances.DefaultName).Distinct(StringComparer.Ordinal).ToList();
        foreach (var name in names)
        {
            services.TryAddKeyedSingleton(name, (sp, _) => NewLedger(sp));
        }

        services.TryAddSingleton(sp => new SandboxInstances(
            [(SandboxInstances.DefaultName, sp.GetRequiredService<SandboxLedger>()), .. names.Select(n => (n, sp.GetRequiredKeyedService<SandboxLedger>(n)))]));

        services.AddHttpClient(SandboxCallbackDispatcher.HttpClientName, client => client.Timeout = TimeSpan.FromSeconds(10));
        services.AddHostedService<SandboxCallbackDispatcher>();
        return services;

        static SandboxLedger NewLedger(IServiceProvider sp)
        {
            var ledger = new SandboxLedger(sp.GetRequiredService<TimeProvider>());
            ledger.SetBalance(sp.GetRequiredService<IOptions<SandboxOptions>>().Value.Balance);
            return ledger;
        }
    }

    /// <summary>
    /// Maps <c>/sandbox/provider/v1/...</c> (the provider API) and <c>/sandbox/admin/...</c>, and the same for
    /// each extra instance under <c>/sandbox/providers/{name}</c>, all behind the sandbox's Bearer key, when
    /// <c>Sandbox:Enabled</c> is true.
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
