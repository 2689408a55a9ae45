using Microsoft.Extensions.Options;

namespace Databunker.Core.Hosting;

/// <summary>Validates <see cref="DatabunkerSchedulerOptions"/> by their attributes when the host starts; the body is generated.</summary>
[OptionsValidator]
internal sealed partial class DatabunkerSchedulerOptionsValidator : IValidateOptions<DatabunkerSchedulerOptions>;

/// <summary>Validates <see cref="DatabunkerHealthCheckOptions"/> by their attributes when the host starts; the body is generated.</summary>
[OptionsValidator]
internal sealed partial class DatabunkerHealthCheckOptionsValidator : IValidateOptions<DatabunkerHealthCheckOptions>;
