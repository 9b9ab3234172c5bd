module ksampler.test/allocgc

go 1.15
