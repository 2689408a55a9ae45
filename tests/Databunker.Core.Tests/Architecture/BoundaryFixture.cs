// Types that break each rule of ModuleBoundaryTests on purpose, so that the test can show that its checks find them:
// a kernel that uses a module, two modules that use each other, and a constructor that takes the service provider.
#pragma warning disable CA1812, CA1822, IDE0051, IDE0052
namespace Databunker.Core.Tests.Architecture.Fixture.Kernel
{
    internal sealed class Core
    {
        public object Make() => new Alpha.First();
    }
}

namespace Databunker.Core.Tests.Architecture.Fixture.Alpha
{
    internal sealed class First
    {
        public Beta.Second? Next { get; set; }
    }
}

namespace Databunker.Core.Tests.Architecture.Fixture.Beta
{
    internal sealed class Second
    {
        public string Name(Alpha.First first) => first.GetType().Name;
    }

    internal sealed class ServiceLocator(IServiceProvider services)
    {
        public object? Find() => services.GetService(typeof(Second));
    }
}
