module ksampler.test/fixedwork

go 1.15
