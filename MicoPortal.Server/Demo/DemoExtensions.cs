using Microsoft.Extensions.Options;

namespace MicoPortal.Server.Demo;

public static class DemoExtensions
{
    /// <summary>Steady demo orders (<c>Demo:OrdersPerSecond</c>), so a fresh development run shows a live dashboard.</summary>
    public static IServiceCollection AddDemoTraffic(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<DemoOptions>().Bind(configuration.GetSection(DemoOptions.Section)).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<IValidateOptions<DemoOptions>>(new DemoOptionsValidation(configuration));
        services.AddHostedService<DemoTrafficGenerator>();
        return services;
    }
}
